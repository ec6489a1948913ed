//! Word lists the detectors lean on: given names, titles, the phrases that introduce a person
//! or an organisation, legal forms, and the capitalised words that are neither.
//!
//! Every list is lower-case and accent-free (see `text::key`), one entry per whitespace run;
//! multi-word phrases use `_` for their spaces.

use std::collections::HashSet;
use std::sync::LazyLock;

fn set(lists: &[&'static str]) -> HashSet<String> {
    lists
        .iter()
        .flat_map(|l| l.split_whitespace())
        .map(|w| super::text::key(&w.replace('_', " ")))
        .collect()
}

/// Common given names across the languages our customers write in (romanised where the name
/// is usually written in another script; the transliteration of a word is checked too).
pub static GIVEN_NAMES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    set(&[
        // English
        "aaron abigail adam adrian aidan alan albert alex alexander alexandra alexis alice alicia
        alison allison amanda amelia amy andrea andrew angela anna anne annie anthony antonia
        arthur ashley audrey austin barbara barry bartholomew becky benjamin bernard beth bethany
        betty beverly blake bonnie bradley brandon brenda brendan brian bridget brittany brooke
        bruce bryan caleb cameron carl carla caroline carolyn catherine cathy charles charlie
        charlotte chelsea cheryl chloe chris christian christina christine christopher cindy
        claire clara clive cody colin connor craig cynthia dakota daniel danielle darren dave
        david deborah debra denise dennis derek diana diane donald donna dorothy douglas dylan
        edward eileen elaine eleanor elizabeth ella ellen emily emma eric erica erin ethan evan
        evelyn fiona fred frederick gabriel gail gary gavin geoffrey george gerald gillian gloria
        gordon graham gregory hannah harold harriet harry heather helen henry howard ian isaac
        isabel isabella isabelle jacob jacqueline james jamie jane janet janice jared jasmine
        jason jeffrey jennifer jenny jeremy jerry jessica jill joan joanne joe joel john jonathan
        jordan joseph joshua joyce judith judy julia julian julie justin karen kate katherine
        kathleen kathryn katie keith kelly kenneth kevin kimberly kirsten kyle larry laura lauren
        lawrence leah leonard leslie liam lillian linda lindsay lisa logan lois louis louise lucas
        lucy luke lydia madeline madison margaret maria marie marilyn marion martha martin mary
        matthew megan melanie melissa michael michelle mildred molly monica morgan nancy natalie
        nathan neil nicholas nicola nicole noah norman oliver olivia oscar owen pamela patricia
        patrick paul paula peter philip phillip phoebe rachel ralph randy rebecca richard robert
        robin roger ronald rosemary roy russell ruth ryan samantha samuel sandra sarah scott sean
        sharon shawn sheila shirley simon sophia sophie stacy stanley stephanie stephen steven
        stuart susan suzanne tammy teresa terry theresa thomas timothy tina todd tom tony tracy
        travis tyler valerie vanessa victor vincent virginia walter wayne wendy william zachary
        zoe aoife siobhan niamh ciara saoirse sinead eoin cian oisin padraig ruairi declan
        fergus seamus mairead orla grainne dermot cormac ronan",
        // German, Dutch, Nordic
        "andreas anja anke annika bastian benedikt bernd birgit björn bjorn brigitte carsten
        christoph claudia dieter dirk doris elke erik erika falk florian frank franziska friedrich
        gabriele gerhard gisela gunter günter hannelore hans heike heinz helga helmut herbert horst
        ingrid inge jan jens joachim johanna jonas jorg jorgen juergen jurgen jutta kai karin
        karl katrin klaus kristin lars lena lukas manfred marcel markus martina matthias maximilian
        michaela monika nils norbert ole olaf petra rainer ralf regina reinhard renate rolf sabine
        sandra sascha silke simone stefan stefanie steffen sven svenja thorsten tobias torsten
        udo ulrich ulrike ursula uwe volker walther werner wolfgang jurgen joost sanne daan bram
        sem lieke femke anouk maaike pieter willem geert hendrik henk kees marieke roos wouter
        astrid ingeborg sigrid solveig liv frida freja ebba elsa alva saga linnea maja ida karin
        henrik magnus gustav axel anders oskar sven nils leif knut bjørn torbjorn haakon hakon
        erling eirik mikkel rasmus soren søren mads jesper morten emil viggo",
        // French
        "adele agathe alain amandine amelie anais anne-marie antoine apolline arnaud aurelie
        baptiste benoit bernadette brigitte camille capucine cecile celine chantal charles-henri
        clement clemence colette coralie corinne damien delphine denis didier dominique eloise
        emilie emmanuel emmanuelle etienne fabien fabrice florence francois francoise frederic
        gael gaelle genevieve gerard gilles guillaume helene herve hugo jacques jean jean-baptiste
        jean-claude jean-francois jean-louis jean-luc jean-marc jean-michel jean-paul jean-pierre
        jeanne jerome josephine julien laetitia laurent leon leonie lucie ludovic manon marc
        marcelle margaux marguerite marianne marie-claire marie-france marie-laure marine
        mathilde maxime michel michele mireille monique nathalie nicolas noemie odile olivier
        pascal pascale patrice philippe pierre pierre-yves raphael regis remi renaud rene sebastien
        serge solene stephane sylvie theo thibault thierry valentin veronique vincent yann yannick
        yves youssef",
        // Spanish, Portuguese, Italian
        "adriana agustin alberto alejandra alejandro alfonso alvaro ana andres angel antonio
        araceli beatriz begona benito carlos carmen catalina cesar concepcion consuelo cristina
        diego dolores eduardo elena emilio enrique esperanza esteban eugenia federico felipe
        fernanda fernando francisca francisco gabriela gonzalo guadalupe guillermo gustavo hector
        ignacio inmaculada ines isabel ismael jaime javier jesus jimena joaquin jorge jose
        josefina juan juana julio laura leonor lorena lucia luis luisa manuel manuela marcela
        marcos margarita maria mariana mario marta martina mateo mercedes miguel milagros monica
        nerea nicolas nuria pablo paloma patricia pedro pilar rafael ramon raquel ricardo roberto
        rocio rodrigo rosario ruben salvador santiago sergio silvia sofia teresa tomas valentina
        veronica vicente victoria ximena yolanda alessandra alessandro alessia andrea angela
        antonella antonio arianna beatrice bianca carlo caterina chiara claudio daniele davide
        elisa emanuele enrico federica fabio filippo francesca francesco gabriele giacomo gianluca
        gianni giorgia giorgio giovanna giovanni giulia giulio giuseppe ilaria leonardo lorenzo
        luca lucia marco massimo matteo mattia michele nicola paola paolo pietro riccardo roberta
        salvatore sara silvia simona simone stefano tommaso valentina valerio vittoria antonia
        beatriz bruna caio camila conceicao diogo eduarda fabiana fatima gabriel goncalo graca
        heloisa joao joana leticia luana luiz marcia mariana murilo otavio paulo priscila rafaela
        renata rodrigo rogerio sebastiao tatiana thiago tiago vinicius vitor vitoria",
        // Eastern Europe, Greece, Turkey
        "agnieszka aleksander aleksandra andrzej anna barbara dariusz dorota ewa grzegorz jakub
        jan joanna kamil katarzyna krzysztof lukasz łukasz maciej magdalena malgorzata marcin
        marek mariusz michal monika pawel piotr rafal robert tomasz wojciech zofia zbigniew
        aleksandr aleksei alexei alexey anastasia andrei andrey anton boris dmitri dmitriy dmitry
        ekaterina elena evgeny galina igor irina ivan katya maxim mikhail natalia natalya nikita
        nikolai oksana olga pavel sergei sergey svetlana tatiana vladimir yulia yuri zoya
        alexandros alexandro andreas christos dimitris dimitrios eleni georgios giorgos ioannis
        katerina konstantinos maria nikos nikolaos panagiotis sofia spyros stavros vasilis
        yiannis ahmet ayse aylin burak can cem elif emre fatma hakan hasan huseyin ibrahim mehmet
        murat mustafa ozlem selin serkan yusuf zeynep",
        // Arabic, Hebrew, Persian, African
        "abdullah ahmad ahmed aisha ali amal amina amir fatima hamza hassan hussein ibrahim
        karim khalid layla leila mahmoud mariam maryam mohamed mohammed muhammad mustafa nadia
        omar rania rashid salma samir sara tariq yasmin yousef youssef zainab zaid noa noam
        tamar yael shira maya michal avigail rachel leah dana roni itai uri omer yonatan ariel
        eitan alon guy ido ron nir amir asaf yoav moshe david yosef avraham yitzhak yaakov
        reza mehdi parisa shirin kwame kofi ama akosua abena yaw kwabena chidi chinedu ngozi
        emeka adaeze obinna oluwaseun olumide tunde ayodele folake amara zuri jabari thabo
        sipho lerato nomvula themba",
        // India and South Asia
        "aarav aditi aditya aishwarya ajay akash amit amitabh anand ananya anil anjali ankit
        anita arjun arun aryan asha ashok ayaan deepak deepika dev divya gaurav gita harish
        hemant isha ishaan jatin jyoti kabir karan kavya kiran krishna kunal lakshmi madhav
        mahesh manish manoj meera mohan neha nikhil nisha nitin pankaj parth pooja prakash
        pradeep pranav preeti priya priyanka rahul raj rajesh rakesh ramesh ravi rekha riya
        rohan rohit sachin sandeep sanjay santosh saanvi shreya siddharth sneha sonia suman
        sunil sunita suresh swati tanvi tarun uday varun vidya vijay vikram vinod vivek yash
        shalini shweta kriti vandana venkat srinivas lalitha padma girish naveen nandini
        harsha ritu seema usha",
        // East and Southeast Asia (romanised)
        "helena magdalena annalena marlene paulina karolina ewelina justyna natalia aleksandra
        julian julius konrad leopold ludwig oskar otto rudolf siegfried theodor vinzenz
        valentina valeria lorenzo leonardo bartolomeo ottavio amedeo benedetta ludovica
        agnes beatrix cordula dorothea edith gertrud hedwig hildegard irmgard liesel mechthild
        tobias tobiah josiah elijah ezra micah gideon silas jasper felix ruben quentin rupert
        hugo leon nico teo noel sienna imogen harriet florence matilda beatrice penelope
        persephone ophelia cordelia rosalind gwendolyn bronwyn rhiannon morwenna eilidh isla
        ines inês ayla aylin elif esra emine hatice merve büşra kerem baran deniz arda efe
        kenji ichiro jiro saburo hideo hideki masato masaki naoki takeshi tetsuya yoshiko
        haruka hiroshi hiroko kenji keiko kazuki takashi taro hanako yuki yuko yumi akira
        daisuke naoko satoshi shota sakura emi ayumi kaori megumi tomoko makoto ryo ryota sho
        takumi haruto yuto sota minato yui hina aoi rin mei kenta tatsuya yusuke minjun minjoon
        seojun jiwoo jiho seoyeon jiyeon minji soyeon hyun jiho jihoon seungho yeji jisoo
        jennie haeun eunji wei xiaoming xiaoli jing ling yan yang ying zhen zhiwei jiahui
        meilin mei-lin huong thanh thao trang nguyet phuong linh hanh tuan dung hoang quang",
    ])
});

/// Given names that are also everyday words: a name only with a surname or a cue.
pub static AMBIGUOUS_NAMES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    set(&[
        "will mark april may june august grace rose hope joy faith bill pat sue art frank
        ray rich dawn summer max guy jack don rob drew chase miles dean ivy holly penny amber
        ruby crystal angel sky river hunter page lane reed gene carol sandy glen eve per jan
        ole kim long son sol luz paz mar pilar dolores mercedes cruz jesus claude florence
        paris victoria georgia jordan austin sydney madison lincoln chelsea ben said can sunny
        young king nova sage rain storm star dale wolf fox bear ada ava eden harmony destiny
        trinity liberty noble lucky honey candy cash chip duke earl kit mac skip ward grant
        bell baker cook park lee best black brown white green gray grey hall cole lord page
        field ida ana dana amir uri ron nir ido alon yan ling ying jing sara emi mei rin aoi
        yui sho ryo dev raj jay hari ram kai saga roos sem
        dom dan",
    ])
});

/// Titles and honorifics that come before a name.
pub static TITLES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    set(&[
        "mr mr. mrs mrs. ms ms. miss mx dr dr. prof prof. sir dame lady lord mister madam
        herr frau hr. fr. mme mme. mlle mlle. m. monsieur madame mademoiselle sr sr. sra sra.
        srta srta. don dona doña sig. sig.ra sig.ra. signor signora signorina dott. dott.ssa
        dr.ssa ing. avv. dhr. dhr mevr. mevr mw. pan pani chi chị anh ong ông ba bà co cô chu chú
        shri smt. smt sri kumari sheikh dra. dra mag. ir. drs. κ. κος κα",
    ])
});

/// Phrases after which a person's name follows (strong cues: even an unknown capitalised
/// word is taken for a name).
pub static PERSON_CUES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    set(&[
        "call_with call_w/ calls_with called meeting_with meeting_w/ met_with met spoke_to
        spoke_with speak_to speak_with spoken_to spoken_with talked_to talked_with talk_to
        talk_with chatted_with chat_with synced_with sync_with catch-up_with catch_up_with
        lunch_with dinner_with demo_with call_w email_from emailed mail_from heard_from
        reached_out_to handed_over_to handover_to replaced_by reports_to reporting_to cc cc:
        bcc bcc: attn attn: c/o fyi signed signed_by sent_by regards thanks cheers best hi hello
        hey dear intro_to introduced_to introduced contact: owner: champion: sponsor:
        new_champion decision_maker boss manager cfo ceo cto coo cio ciso dpo vp director
        head_of_procurement procurement_lead from: to: ask asked ping pinged",
        "telefonat_mit gespräch_mit gesprach_mit termin_mit call_mit meeting_mit treffen_mit
        abstimmung_mit grüße gruße gruesse gruß gruss hallo liebe lieber sehr_geehrte
        sehr_geehrter ansprechpartner ansprechpartnerin laut herrn",
        "échange_avec echange_avec appel_avec réunion_avec reunion_avec rendez-vous_avec
        entretien_avec de_la_part_de cordialement bonjour merci interlocuteur interlocutrice
        contact_chez",
        "reunión_con reunion_con llamada_con hablé_con hable_con hablamos_con hablando_con
        saludos hola estimado estimada llamar_a su_jefa su_jefe su_director su_directora
        falei_com falamos_com conversei_com reunião_com reuniao_com ligar_para ligação_com
        abraços abracos atenciosamente olá ola prezado prezada parlato_con parlando_con
        riunione_con chiamata_con sostituita_da sostituito_da sostituire saluti ciao gentile
        referente",
        "gesprek_met overleg_met gebeld_met afspraak_met groeten beste hoi samtale_med møte_med
        mote_med möte_med mote_med samtal_med hilsen hälsningar halsningar hej rozmowa_z
        spotkanie_z pozdrawiam με_τον με_την με_τους με_τη συνάντηση_με встреча_с звонок_с
        разговор_с görüşme gorusme",
    ])
});

/// Verbs only people do: a capitalised pair before one is a person ("Tobiah Quist signed").
pub static PERSON_VERBS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    set(&[
        "asked asks said says wants wanted thinks thought prefers preferred signed
        confirmed confirms agreed agrees approved requested requests replied replies emailed
        called wrote writes mentioned promised complained threatened joined resigned retired
        complains insists insisted suggested suggests explained explains told tells",
    ])
});

/// Roles written after a name ("Helena Brandt (CFO)", "Helena Brandt, Head of IT").
pub static ROLES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    set(&[
        "ceo cfo cto coo cio ciso cmo cro dpo vp svp evp director head manager lead founder
        cofounder co-founder owner champion sponsor admin administrator engineer analyst buyer
        controller president chair partner counsel procurement purchasing it-leiter
        geschaftsfuhrer geschaftsfuhrerin leiter leiterin directeur directrice responsable
        gerente diretor diretora direttore direttrice jefe jefa our their new former ex",
    ])
});

/// Verbs that follow a sentence-initial name ("Will typed …", "Mark says …").
pub static NAME_VERBS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    set(&[
        "is was has had said says asked asks wants wanted needs needed thinks thought
        called emailed wrote writes confirmed confirms mentioned prefers preferred owns owned
        will would can could left joined signed sent agreed agrees approved requested
        requests replied replies raised typed noted shared reported",
    ])
});

/// Capitalised words that are never a name on their own: pronouns, departments, roles,
/// months and days, plan and product words.
pub static NOT_NAMES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    set(&[
        "the a an this that these those our their his her its my your we they he she it i you
        team teams finance procurement legal sales support it hr ops operations marketing
        engineering product security billing accounting purchasing management leadership board
        exec execs executive executives customer customers client clients user users admin
        admins owner champion sponsor vp ceo cfo cto coo cio ciso dpo csm am ae director
        manager head lead chief president founder cofounder partner partners vendor vendors
        monday tuesday wednesday thursday friday saturday sunday january february march april
        may june july august september october november december jan feb mar apr jun jul aug sep
        sept oct nov dec q1 q2 q3 q4 fy h1 h2 enterprise pro basic plus premium starter free
        trial business team standard growth scale sso saml scim mfa 2fa api sdk qbr crm erp
        po rfp msa dpa sla nda ok yes no none n/a na tbd asap fyi eod eow re fw fwd subject
        from to cc bcc date sent note notes update follow-up followup renewal contract invoice
        order ticket tickets feature features audit log data residency slack jira salesforce
        hubspot zendesk teams zoom google microsoft outlook gmail linkedin github aws azure
        gcp sap oracle excel word powerpoint sharepoint confluence notion asana trello okta
        workday netsuite quickbooks stripe paypal visa mastercard amex maestro jcb iban swift
        bic gdpr iso soc hipaa pci dss type ii iii iv v vi mr mrs ms dr prof sir thanks regards
        best cheers hi hello hey dear all everyone everybody someone nobody anyone new old next
        last first second third call meeting email mail phone mobile office home asap urgent
        important attention note nota bitte danke merci gracias obrigado grazie ja nein oui non
        si sim nao não und oder et ou y o e and or but if not also only just still already
        usage users seats licenses licences plan tier account accounts company companies
        kunde kunden vertrieb einkauf buchhaltung geschäftsführung geschaftsfuhrung team vertrag
        rechnung angebot projekt termin abteilung kollege kollegin chef chefin leitung",
    ])
});

/// Legal forms that end an organisation's name.
pub static LEGAL_FORMS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    set(&[
        "gmbh ag ab as asa oy oyj plc ltd ltd. limited llc l.l.c. inc inc. corp corp.
        corporation co. company s.a. sa s.p.a. spa s.r.l. srl sarl s.a.r.l. sas s.a.s. b.v. bv
        n.v. nv pty pvt kg gbr e.v. ev llp lp aps a/s kft zrt d.o.o. s.l. sl ltda ltda. s/a
        eirl kk k.k. gmbh_&_co._kg se sp._z_o.o. s.r.o. a.s. ug oü ou sia uab s.c. scs sca",
    ])
});

/// Nouns that end an organisation's name when the words before them are capitalised.
pub static ORG_NOUNS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    set(&[
        "consulting consultants consultancy associates associados asociados associati
        partners partnership group gruppe groupe grupo gruppo holding holdings logistics
        solutions systems technologies technology tech labs laboratories analytics software
        freight foods agrifoods capital ventures bank banco banque insurance media energy
        health healthcare pharma pharmaceuticals industries industrie services studio studios
        agency agentur consultoria consulenza beratung conseil advisors advisory networks
        robotics dynamics manufacturing motors airlines hotels resorts retail markets
        foundation institute institut instituto university universität universite
        universidad school college clinic hospital klinik kliniken werke werk bau byggteknikk
        teknikk teknik technik engineering enterprises trading imports exports shipping
        transport maritime construction properties realty imóveis imoveis inmobiliaria
        immobilien turismo tourism travel cosmetics textiles electronics semiconductors
        telecom communications digital interactive games entertainment publishing press
        foodservice farms dairy brewing brewery distillery winery numérique numerique",
    ])
});

/// Organisation nouns that also open a name ("Banco Santander", "University of Leeds").
pub static ORG_HEADS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    set(&[
        "bank banco banque banca grupo gruppo groupe gruppe university universidad
        universität universite université università institut instituto institute stiftung
        fundación fundacion fundação fundacao agentur hotel hospital klinik clínica clinica
        clinic colegio college ministry ministerio ministère stadt city_of county_of",
    ])
});

/// Organisation nouns that also name products and teams ("Advanced Analytics",
/// "Professional Services"): they make an organisation only after unusual words.
pub static WEAK_ORG_NOUNS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    set(&[
        "analytics services solutions systems software security engineering digital media
        networks labs studio studios technology technologies tech dynamics health healthcare
        energy insurance capital partners group consulting interactive communications
        telecom electronics logistics travel retail markets",
    ])
});

/// Everyday capitalised words of product and team names.
pub static COMMON_WORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    set(&[
        "advanced professional managed premium enterprise cloud data customer business
        digital global smart basic standard custom core mobile web social financial legal
        marketing sales support technical consulting security network field creative
        strategic integrated unified automated predictive embedded partner implementation
        onboarding training success product platform managed shared internal external
        corporate group team it hr finance operations engineering research development
        innovation quality health safety learning reporting usage revenue growth expansion
        adoption insights intelligence performance cyber information infrastructure identity
        access compliance risk audit payment payments billing account accounts user admin
        looker power google microsoft amazon adobe azure apple meta oracle ibm sap",
    ])
});

/// Phrases after which an organisation's name follows.
pub static ORG_CUES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    set(&[
        "partner implementation_partner integrator integration_partner reseller vendor
        supplier competitor competitors left_for moved_to switched_to migrated_to
        acquired_by bought_by merged_with parent_company subsidiary customer_of ex- ex
        formerly_at former formerly previously_at works_at working_at joined agency
        intégrateur integrateur prestataire concurrent partenaire consultoria consultora
        agência agencia parceiro parceira concorrente socio proveedor competidor consulenza
        fornitore concorrente integratore dienstleister wettbewerber lieferant
        partnerfirma konkurrent leverancier concurrent partnerbedrijf leverandør konkurrent",
    ])
});

/// Common Japanese family names (kanji) with their usual romanisation.
pub static JAPANESE_SURNAMES: &[(&str, &str)] = &[
    ("佐藤", "sato"),
    ("鈴木", "suzuki"),
    ("高橋", "takahashi"),
    ("田中", "tanaka"),
    ("渡辺", "watanabe"),
    ("伊藤", "ito"),
    ("山本", "yamamoto"),
    ("中村", "nakamura"),
    ("小林", "kobayashi"),
    ("加藤", "kato"),
    ("吉田", "yoshida"),
    ("山田", "yamada"),
    ("佐々木", "sasaki"),
    ("山口", "yamaguchi"),
    ("松本", "matsumoto"),
    ("井上", "inoue"),
    ("木村", "kimura"),
    ("斎藤", "saito"),
    ("斉藤", "saito"),
    ("清水", "shimizu"),
    ("山崎", "yamazaki"),
    ("池田", "ikeda"),
    ("橋本", "hashimoto"),
    ("阿部", "abe"),
    ("石川", "ishikawa"),
    ("山下", "yamashita"),
    ("中島", "nakajima"),
    ("石井", "ishii"),
    ("小川", "ogawa"),
    ("前田", "maeda"),
    ("岡田", "okada"),
    ("長谷川", "hasegawa"),
    ("藤田", "fujita"),
    ("後藤", "goto"),
    ("近藤", "kondo"),
    ("村上", "murakami"),
    ("遠藤", "endo"),
    ("青木", "aoki"),
    ("坂本", "sakamoto"),
    ("藤井", "fujii"),
    ("西村", "nishimura"),
    ("福田", "fukuda"),
    ("太田", "ota"),
    ("三浦", "miura"),
    ("藤原", "fujiwara"),
    ("岡本", "okamoto"),
    ("松田", "matsuda"),
    ("中川", "nakagawa"),
    ("中野", "nakano"),
    ("原田", "harada"),
    ("小野", "ono"),
    ("田村", "tamura"),
    ("竹内", "takeuchi"),
    ("金子", "kaneko"),
    ("和田", "wada"),
    ("中山", "nakayama"),
    ("石田", "ishida"),
    ("上田", "ueda"),
    ("森田", "morita"),
    ("柴田", "shibata"),
    ("酒井", "sakai"),
    ("工藤", "kudo"),
    ("横山", "yokoyama"),
    ("宮崎", "miyazaki"),
    ("宮本", "miyamoto"),
    ("内田", "uchida"),
    ("高木", "takagi"),
    ("安藤", "ando"),
    ("谷口", "taniguchi"),
    ("大野", "ono"),
    ("丸山", "maruyama"),
    ("今井", "imai"),
    ("高田", "takada"),
    ("藤本", "fujimoto"),
    ("武田", "takeda"),
    ("村田", "murata"),
    ("上野", "ueno"),
    ("杉山", "sugiyama"),
    ("増田", "masuda"),
    ("平野", "hirano"),
    ("大塚", "otsuka"),
    ("千葉", "chiba"),
    ("久保", "kubo"),
    ("松井", "matsui"),
    ("岩崎", "iwasaki"),
    ("桜井", "sakurai"),
    ("木下", "kinoshita"),
    ("野口", "noguchi"),
    ("松尾", "matsuo"),
    ("菊地", "kikuchi"),
    ("野村", "nomura"),
    ("新井", "arai"),
    ("渡部", "watanabe"),
    ("林", "hayashi"),
    ("森", "mori"),
    ("原", "hara"),
];

/// Honorifics written after a name in Japanese, Chinese and Korean.
pub const CJK_HONORIFICS: &[&str] = &[
    "さん",
    "様",
    "さま",
    "氏",
    "君",
    "くん",
    "ちゃん",
    "先生",
    "部長",
    "課長",
    "社長",
    "係長",
    "主任",
    "室長",
    "専務",
    "常務",
    "先生",
    "先生们",
    "女士",
    "先生",
    "经理",
    "總",
    "总",
    "老师",
    "小姐",
    "님",
    "씨",
    "과장",
    "부장",
    "팀장",
    "대표",
    "이사",
    "사장",
    "대리",
    "매니저",
    "선생님",
    "总监",
    "主管",
    "女士们",
    "博士",
    "教授",
];

/// Common Chinese family names (one character).
pub const CHINESE_SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤欧";

/// What comes right before a Chinese name ("与王小明通话"): with, to, ask, contact.
pub const CHINESE_NAME_BEFORE: &[&str] = &[
    "与", "和", "跟", "同", "给", "向", "请", "找", "问", "联系", "致", "由", "被", "对", "让",
    "告诉", "通知", "把", "，", "。", "、", "：", ":", " ", "（", "(",
];

/// What comes right after a Chinese name: a verb of speaking or agreeing, a title, a particle.
pub const CHINESE_NAME_AFTER: &[&str] = &[
    "通话",
    "说",
    "表示",
    "确认",
    "称",
    "要求",
    "希望",
    "会议",
    "沟通",
    "联系",
    "先生",
    "女士",
    "经理",
    "总",
    "老师",
    "小姐",
    "同意",
    "提出",
    "反馈",
    "负责",
    "来电",
    "打电话",
    "发邮件",
    "认为",
    "已经",
    "将",
    "会",
    "是",
    "的",
    "，",
    "。",
    "、",
    "和",
    "与",
    "）",
    ")",
];

/// Korean family names (one syllable) that begin most names.
pub const KOREAN_SURNAMES: &str = "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민진나지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용";

/// Vietnamese family names.
pub static VIETNAMESE_SURNAMES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    set(&[
        "nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh trinh
        mai truong lam luong",
    ])
});

/// Common Hebrew and Arabic given and family names, in their own script.
pub static NAMES_OTHER_SCRIPTS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    set(&[
        "נועה תמר מיכל יעל שירה מאיה אביגיל שרה רחל לאה דנה רוני נועם דוד יוסף משה אברהם
        יצחק יעקב דניאל איתי אורי עומר יונתן אריאל איתן אלון גיא עידו רון ניר אמיר אסף יואב
        כהן לוי מזרחי פרץ ביטון דהן פרידמן אזולאי מלכה כץ שפירא גולדברג אוחיון חדד
        محمد أحمد احمد علي فاطمة عمر خالد سارة يوسف مريم حسن حسين عبدالله ليلى نور عائشة
        زينب إبراهيم ابراهيم مصطفى سلمى رانيا طارق كريم",
    ])
});

/// Words in the record's own language that introduce a street or address.
pub static STREET_WORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    set(&[
        "street st st. road rd rd. avenue ave ave. av. boulevard blvd blvd. lane ln ln. drive
        dr. court ct ct. place pl pl. square sq terrace crescent close way grove gardens mews
        row yard walk hill park parade highway hwy parkway pkwy circle cir wharf quay
        strasse straße str. weg gasse allee platz ring damm ufer chaussee steig pfad
        rue avenue boulevard bd chemin impasse allée allee quai cours place route
        calle avenida av. paseo plaza camino carretera ronda travesia travesía rua praça praca
        alameda largo travessa estrada via viale piazza corso vicolo largo strada
        straat laan weg plein gracht kade singel dreef gatan vägen vagen gata gate veien vei
        vej gade allé ulica ul. aleja al. utca ut út",
    ])
});

/// Words that mark a unit or building inside an address.
pub static UNIT_WORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    set(&[
        "flat apartment apt apt. unit suite ste ste. floor fl building bldg house block level
        no no. nr nr.
        room piso planta puerta andar sala bloco wohnung etage stock appartement bâtiment
        batiment étage etage interno scala piano lgh",
    ])
});

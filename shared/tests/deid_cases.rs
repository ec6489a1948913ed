//! Formats the detectors must handle, beyond the evaluation corpus: one line per case, the
//! value that must not survive (or the text that must survive whole).

use std::collections::BTreeMap;

use summary_core::attributes::{Account, AttrValue};
use summary_core::deid::deidentify;
use summary_core::tenant::TenantConfig;

fn sent(text: &str, people: &[&str], account: Option<&str>) -> String {
    let mut attributes = BTreeMap::new();
    attributes.insert("notes".to_string(), AttrValue::Text(text.to_string()));
    for (i, p) in people.iter().enumerate() {
        let name = if i == 0 {
            "success_manager".to_string()
        } else {
            format!("contact_{i}_name")
        };
        attributes.insert(name, AttrValue::Text(p.to_string()));
    }
    if let Some(a) = account {
        attributes.insert("account_name".into(), AttrValue::Text(a.to_string()));
    }
    let account = Account {
        account_id: "A-case".into(),
        attributes,
        as_of: None,
    };
    let config = TenantConfig {
        key_info: vec!["notes".into()],
        ..TenantConfig::default()
    };
    deidentify(&account, &config).attributes[0].value.clone()
}

const GONE: &[(&str, &str)] = &[
    // A grouped card number stays a card after a serial-number word (found by deid_props).
    ("a sn 4242 4242 4242 4242 a", "4242 4242 4242 4242"),
    // e-mail
    (
        "write to jane.doe@sub.mail.example.co.uk today",
        "jane.doe@sub.mail.example.co.uk",
    ),
    (
        "JANE.DOE+BILLING@EXAMPLE.ORG is the billing inbox",
        "JANE.DOE+BILLING@EXAMPLE.ORG",
    ),
    (
        "Mail: jane(at)firma(punkt)example",
        "jane(at)firma(punkt)example",
    ),
    ("jane at example dot com, urgent", "jane at example dot com"),
    ("contact: jane @ example.com", "jane @ example.com"),
    ("<a.b-c@x-y.example>", "a.b-c@x-y.example"),
    // phones
    ("call (212) 555-0148 today", "(212) 555-0148"),
    ("toll free 1-800-555-0199", "1-800-555-0199"),
    ("reach her at 4155550199 after 5", "4155550199"),
    ("Office +44 20 7946 0958", "+44 20 7946 0958"),
    ("Tel. 030/12345678", "030/12345678"),
    ("Portable : 06.12.34.56.78", "06.12.34.56.78"),
    ("WhatsApp +55 11 91234-5678", "+55 11 91234-5678"),
    ("携帯 090-1234-5678 まで", "090-1234-5678"),
    ("mobile 0412 345 678", "0412 345 678"),
    ("Telefonnummer 0171 2345678", "0171 2345678"),
    ("+1 212 555 0148 x204", "+1 212 555 0148 x204"),
    // cards
    ("card 4111 1111 1111 1111 expired", "4111 1111 1111 1111"),
    ("Kartennummer 5500 0000 0000 0004", "5500 0000 0000 0004"),
    ("Diners 30569309025904", "30569309025904"),
    ("paid with 6011-1111-1111-1117", "6011-1111-1111-1117"),
    ("card 4111.1111.1111.1111", "4111.1111.1111.1111"),
    // IBAN
    (
        "IBAN GB82 WEST 1234 5698 7654 32",
        "GB82 WEST 1234 5698 7654 32",
    ),
    (
        "iban: fr14 2004 1010 0505 0001 3m02 606",
        "fr14 2004 1010 0505 0001 3m02 606",
    ),
    ("NO93 8601 1117 947 for the refund", "NO93 8601 1117 947"),
    // IP
    ("from 192.0.2.44.", "192.0.2.44"),
    ("peer [2001:db8::1]:443", "2001:db8::1"),
    (
        "host 2001:0db8:85a3:0000:0000:8a2e:0370:7334 down",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
    ),
    ("proxy 192.168.1.10:8080", "192.168.1.10"),
    // SSN
    ("SSN: 123456789 on file", "123456789"),
    ("social security number is 219-09-9999", "219-09-9999"),
    // money
    ("ARR is $1.2M now", "$1.2M"),
    ("budget of 50k for next year", "50k"),
    ("45.000 EUR per year", "45.000 EUR"),
    ("CHF 12'500 discount", "CHF 12'500"),
    ("R$ 15.000,00 por mês", "R$ 15.000,00"),
    ("₹1.2 crore deal", "₹1.2 crore"),
    ("Rs. 45,000 refund", "Rs. 45,000"),
    ("they pay 30k USD", "30k USD"),
    ("40 thousand dollars", "40 thousand dollars"),
    ("€1.2bn group", "€1.2bn"),
    ("15 000 kr per år", "15 000 kr"),
    // people
    ("Met with Sarah O'Connor about SSO", "Sarah O'Connor"),
    ("Discussed with Dr. Amelia Hart", "Amelia Hart"),
    ("Hi Priyanka, thanks", "Priyanka"),
    ("cc: Ingrid Nilsson", "Ingrid Nilsson"),
    ("CEO Marcus Whitaker joined", "Marcus Whitaker"),
    ("Helena Brandt (CFO) wants a discount", "Helena Brandt"),
    ("Tobiah Quist signed the order form", "Tobiah Quist"),
    ("CALL KENJI TANAKA BACK", "KENJI TANAKA"),
    ("spoke with Małgorzata Kowalska", "Małgorzata Kowalska"),
    ("встреча с Ольгой Смирновой", "Ольгой Смирновой"),
    ("田中さんに連絡", "田中"),
    ("박지훈 과장님과 통화", "박지훈"),
    ("Regards,\nTomasz", "Tomasz"),
    // organisations
    (
        "acquired by Brightline Holdings last year",
        "Brightline Holdings",
    ),
    ("Vendor: Corvid Systems Ltd.", "Corvid Systems Ltd"),
    ("Helix & Stone LLP handles legal", "Helix & Stone LLP"),
    ("Nordlys Energi AS signed", "Nordlys Energi AS"),
    ("their bank, Banco Santander", "Banco Santander"),
    // addresses
    (
        "1600 Pennsylvania Ave NW, Washington, DC 20500",
        "1600 Pennsylvania Ave",
    ),
    (
        "350 Fifth Avenue, Suite 4100, New York, NY 10118",
        "350 Fifth Avenue",
    ),
    ("PO Box 123, Springfield, IL 62704", "PO Box 123"),
    ("Hauptstraße 5, 10115 Berlin", "Hauptstraße 5"),
    ("12, rue de la Paix, 75002 Paris", "rue de la Paix"),
    ("Keizersgracht 123, 1015 CJ Amsterdam", "Keizersgracht 123"),
    ("Karl Johans gate 22, 0159 Oslo", "Karl Johans gate 22"),
    (
        "ul. Marszałkowska 10/12, 00-590 Warszawa",
        "Marszałkowska 10",
    ),
    (
        "Level 5, 123 Pitt Street, Sydney NSW 2000",
        "123 Pitt Street",
    ),
    (
        "No. 42, 2nd Main Road, Koramangala, Bengaluru - 560034",
        "2nd Main Road",
    ),
    ("東京都千代田区丸の内1-1-1", "丸の内1-1-1"),
    // personal URLs
    (
        "profile linkedin.com/in/jane-doe-123",
        "linkedin.com/in/jane-doe-123",
    ),
    (
        "see https://github.com/janedoe",
        "https://github.com/janedoe",
    ),
    (
        "room https://zoom.us/my/jane.doe",
        "https://zoom.us/my/jane.doe",
    ),
    (
        "https://example.com/~jdoe/notes",
        "https://example.com/~jdoe/notes",
    ),
    (
        "https://blog.example.com/sarah-connor",
        "https://blog.example.com/sarah-connor",
    ),
];

const KEPT: &[&str] = &[
    "Upgraded to v3.2.1 (build 4521), release 2025.03",
    "Tickets ZD-48213 and CASE-00123 closed; SKU-4410-BLK backordered",
    "Invoice INV/2025/0042 and Order #123-4567890-1234567 shipped",
    "NPS 45, CSAT 4.7/5, scored 9/10, adoption 12.5%",
    "Kickoff 03/04/2026 at 10:30, Mar 4, 2026, Q4 FY25",
    "Advanced Analytics add-on and Professional Services hours",
    "Single Sign-On and Audit Log enabled for 250 users",
    "ISBN 978-3-16-148410-0 in the training kit",
    "Windows build 10.0.19045.3693 on their laptops",
    "Customer will upgrade in May; Mark as done",
    "10,000 users across 3 regions",
    "Seats 120 → 150 at renewal",
    "Grant access to the June release",
    "Looker Studio dashboards and Power BI reports",
];

#[test]
fn values_in_many_formats_do_not_survive() {
    let mut misses = Vec::new();
    for (text, secret) in GONE {
        let out = sent(text, &[], None);
        if out.to_lowercase().contains(&secret.to_lowercase()) {
            misses.push(format!("{text:?} -> {out:?}"));
        }
    }
    assert!(misses.is_empty(), "survived:\n{}", misses.join("\n"));
}

#[test]
fn what_is_not_personal_survives_whole() {
    let mut lost = Vec::new();
    for text in KEPT {
        let out = sent(text, &[], None);
        if out != *text {
            lost.push(format!("{text:?} -> {out:?}"));
        }
    }
    assert!(lost.is_empty(), "changed:\n{}", lost.join("\n"));
}

#[test]
fn the_records_own_people_and_name_in_other_forms() {
    let people = [
        "Sylvia Short",
        "Jürgen Haßelbach",
        "Haruka Sato",
        "Arjun Mehta",
    ];
    let account = Some("Kestrel Point Software GmbH");
    for (text, secret) in [
        ("Sylvia asked for a call", "Sylvia"),
        ("short call with SHORT", "SHORT"),
        ("an juergen.h weiterleiten", "juergen"),
        ("（佐藤）から折り返し", "佐藤"),
        ("अर्जुन को भेजें", "अर्जुन"),
        ("KestrelPoint renewal", "KestrelPoint"),
        ("Kestrel Point wants SSO", "Kestrel Point"),
        ("KESTREL asked", "KESTREL"),
    ] {
        let out = sent(text, &people, account);
        assert!(!out.contains(secret), "{text:?} -> {out:?}");
    }
}

#!/usr/bin/env python3
"""Assembles BENCHMARKS.md from what `make bench` left in its output directory.

    scripts/bench_report.py target/bench BENCHMARKS.md

Reads: functions.md and functions.json (the lambda_functions harness), the deployment zips
(target/lambda or LAMBDA_DIR), the logs of the deid, prompt_tokens and bench-refresh runs,
`durations` (seconds per step), and tests/benches/lambda_findings.md (what was found and
changed, written by hand). A figure that cannot be found in its log is reported as missing,
never guessed.
"""

import json
import os
import platform
import re
import subprocess
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = ["summary-get", "summary-refresh", "summary-feedback"]
ZIP_TARGET_BYTES = 4_000_000


def read(path):
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return ""


def cpu_model():
    for line in read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def git(*args):
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def release_profile():
    text = read(ROOT / "Cargo.toml")
    section = text.split("[profile.release]", 1)[-1].split("\n[", 1)[0]
    settings = [line.strip() for line in section.splitlines()
                if "=" in line and not line.strip().startswith("#")]
    return ", ".join(f"`{s}`" for s in settings)


def search(pattern, text, default="*not found in the log*"):
    match = re.search(pattern, text, re.MULTILINE)
    return match.group(1) if match else default


def header(out):
    durations = []
    total = 0
    for line in read(out / "durations").splitlines():
        name, seconds = line.split()
        total += int(seconds)
        durations.append(f"{name} {int(seconds) // 60} min {int(seconds) % 60} s")
    # What was checked out when the run started (make bench records it).
    commit = read(out / "commit").strip()
    if not commit:
        commit = git("rev-parse", "--short=12", "HEAD")
        if git("status", "--porcelain", "--untracked-files=no"):
            commit += " (with uncommitted changes)"
    return f"""# Benchmarks

Written by `make bench` (`scripts/bench_report.py`); every figure below comes from that run.

| | |
|---|---|
| machine | {cpu_model()}, {os.cpu_count()} cores, Linux {platform.release()} ({platform.machine()}) |
| date | {datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")} |
| commit | {commit} |
| release profile | {release_profile()} |
| rerun | `make bench` (needs the Rust toolchain with the `aarch64-unknown-linux-gnu` target and python3; installs moto, cargo-lambda and zig from PyPI into `.venv`); results land in `target/bench/` and this file |
| run time | {total // 60} min {total % 60} s in all: {", ".join(durations) or "not recorded"} |

The machine is shared: another engineer's builds may have run during this run. Times are
medians and 90th percentiles over repeated runs for that reason.
"""


def sizes(out):
    lambda_dir = Path(os.environ.get("LAMBDA_DIR", ROOT / "target" / "lambda"))
    rows = []
    for function in FUNCTIONS:
        path = lambda_dir / function / "bootstrap.zip"
        if not path.is_file():
            rows.append(f"| {function} | *no zip* | | |")
            continue
        zipped = path.stat().st_size
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
        verdict = "yes" if zipped <= ZIP_TARGET_BYTES else f"no (+{(zipped - ZIP_TARGET_BYTES) / 1e6:.2f} MB)"
        rows.append(f"| {function} | {zipped / 1e6:.2f} MB ({zipped:,} bytes) | "
                    f"{unzipped / 1e6:.2f} MB | {verdict} |")
    return """
## 3. Binary size

`make package`: arm64 (`aarch64-unknown-linux-gnu`, provided.al2023) built by cargo-lambda
with zig, stripped, zipped as deployed. MB = 10^6 bytes.

| function | zipped | bootstrap (unzipped) | ≤ 4 MB zipped |
|---|---|---|---|
""" + "\n".join(rows) + "\n"


def other_benches(out):
    deid = read(out / "deid.log")
    tokens = read(out / "prompt_tokens.log")
    refresh = read(out / "refresh.log")
    anonymize = search(r"^A-2e4581: .*deidentify \+ guard median (\S+)", deid)
    anonymize_plain = search(r"^A-2e4581: .*deidentify median (\S+);", deid)
    anonymize_dense = search(r"^A-2e4581 \+ dense note: .*deidentify \+ guard median (\S+)", deid)
    token_ratio = search(r"^Ratio ours / naive \(whole prompt[^:]*: ([0-9.]+)", tokens)
    token_target = search(r"^Ratio ours / naive \(whole prompt.*\(target <= ([0-9.]+)\)", tokens, "?")
    refresh_ratio = search(r"ideal .* ratio ([0-9.]+)", refresh)
    refresh_time = search(r"^  time ([0-9.]+ s); ideal", refresh)
    refresh_saved = search(r"saved \(([0-9.]+ %)\)", refresh)
    return f"""
## 5. The other benchmarks

Run by `make bench` with the bench profile at opt-level 3 without LTO (16 codegen units), as
`make bench-refresh` always has, whatever the release profile says; their full output is in
`target/bench/{{deid,prompt_tokens,refresh}}.log`.

| benchmark | command | figure |
|---|---|---|
| anonymization time, sample account A-2e4581 | `cargo bench -p summary-core --bench deid` | de-identify + guard median **{anonymize}** (de-identify alone {anonymize_plain}; with a dense free-text note {anonymize_dense}) |
| prompt tokens, ours / naive pretty JSON | `cargo bench -p summary-core --bench prompt_tokens` | **{token_ratio}** (target ≤ {token_target}), whole prompt summed over the 500 sample accounts |
| scheduled refresh throughput, time / ideal | `make bench-refresh` | **{refresh_ratio}** ({refresh_time} for 2,000 due summaries at C = 50, 2 s per generation); run 2 with 80 % unchanged inputs saved {refresh_saved} of LLM calls |
"""


def verdict(met):
    return "met" if met else "**missed**"


def zipped_sizes():
    lambda_dir = Path(os.environ.get("LAMBDA_DIR", ROOT / "target" / "lambda"))
    return {f: (lambda_dir / f / "bootstrap.zip").stat().st_size
            for f in FUNCTIONS if (lambda_dir / f / "bootstrap.zip").is_file()}


def headline(figures):
    """The targets of the issue against this run's figures."""
    init = {c["label"]: c for c in figures["cold_starts"]}
    functions = figures["functions"]
    floor_cpu = functions["floor-lambda"]["cpu_per_request_us"]
    get = functions["summary-get"]
    get_requests = get["requests"] or 1
    dynamo = {k.split(".")[-1]: v / get_requests for k, v in get["aws_requests"].items()
              if k.startswith("DynamoDB")}
    secrets = sum(v for k, v in get["aws_requests"].items() if k.startswith("secretsmanager"))
    ratios = [init[f]["init_ratio_to_floor"] for f in FUNCTIONS if f in init]
    sizes = zipped_sizes()
    rss = [functions[f]["peak_rss_kb"] / 1024 for f in FUNCTIONS]
    get_cpu = get["cpu_per_request_us"] - floor_cpu
    rows = [
        ("cold start: init ≤ 1.5× the floor (median)",
         ", ".join(f"{f.removeprefix('summary-')} {init[f]['init_median_ms']:.2f} ms = "
                   f"{init[f]['init_ratio_to_floor']:.2f}×" for f in FUNCTIONS if f in init)
         + f" (floor {init['floor-lambda']['init_median_ms']:.2f} ms)",
         verdict(max(ratios, default=99) <= 1.5)),
        ("first invocation (median)",
         ", ".join(f"{f.removeprefix('summary-')} {init[f]['first_invocation_median_ms']:.1f} ms"
                   for f in FUNCTIONS if f in init), "(no target)"),
        ("cache-hit GET: one DynamoDB request (BatchGetItem)",
         ", ".join(f"{op} {n:.3f}" for op, n in sorted(dynamo.items())) + " per request",
         verdict(dynamo.get("BatchGetItem", 0) == 1 and sum(dynamo.values()) < 1.05)),
        ("cache-hit GET: no Secrets Manager or LLM request",
         f"{secrets} Secrets Manager, {get['llm_requests']} LLM in {get['requests']:,} requests",
         verdict(secrets == 0 and get["llm_requests"] == 0)),
        ("cache-hit GET: CPU < 200 µs above the runtime floor",
         f"{get_cpu:.0f} µs ({get['cpu_per_request_us']:.0f} µs in all, floor {floor_cpu:.0f} µs)",
         verdict(get_cpu < 200)),
        ("zipped ≤ 4 MB",
         ", ".join(f"{f.removeprefix('summary-')} {b / 1e6:.2f} MB" for f, b in sizes.items()),
         verdict(bool(sizes) and max(sizes.values()) <= ZIP_TARGET_BYTES)),
        ("peak RSS < 40 MB over a cold start and 1,000 requests",
         ", ".join(f"{f.removeprefix('summary-')} {m:.1f} MB" for f, m in zip(FUNCTIONS, rss)),
         verdict(max(rss) < 40)),
    ]
    return ("\n## Targets\n\n| target | this run | |\n|---|---|---|\n"
            + "\n".join(f"| {t} | {v} | {m} |" for t, v, m in rows) + "\n")


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "target" / "bench")
    target = Path(sys.argv[2] if len(sys.argv) > 2 else ROOT / "BENCHMARKS.md")
    functions = read(out / "functions.md") or "## 1. Cold start\n\n*The harness wrote no results.*\n"
    findings = read(ROOT / "tests" / "benches" / "lambda_findings.md")
    summary = ""
    data = read(out / "functions.json")
    if data:
        summary = headline(json.loads(data))
    # Section 3 sits between the harness's sections 2 and 4.
    before, _, after = functions.partition("\n## 4.")
    document = (header(out) + summary + "\n" + before.rstrip() + "\n" + sizes(out)
                + ("\n## 4." + after if after else "") + other_benches(out)
                + ("\n" + findings if findings else ""))
    target.write_text(document, encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Check the license-eval corpus (Python 3.11+ standard library only).

Verifies that expected.toml, sources.tsv and texts/ agree; that every verdict,
language, split and clause kind is from the allowed lists; that every quote
occurs at its stated line (or within the 3 lines after it) once whitespace is
normalised; that both the tune and held-out splits are present (the "fresh",
"unseen3", "unseen4", ... splits are optional); and that no text is a copy or near copy of a text mri's
knowledge base is built from or of another text in this corpus. Prints counts; exits 1 on
any problem.

Usage: python3 tests/license-eval/check_corpus.py   (from anywhere)

With --known it checks instead the hand-made labels of the known-family corpus,
tests/license-corpus/decisive.toml, against tests/license-corpus/texts/: every
text listed once, split "known", allowed verdicts, languages and clause kinds,
every quote starting on its line (continuing up to 3 lines after it) after
whitespace collapse, quote lengths, and a
value in a fixed form for thresholds and contacts.
"""
import collections
import csv
import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    sys.exit("check_corpus.py needs Python 3.11+ (tomllib)")

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

VERDICTS = ["prohibited", "research-only", "non-commercial", "requires-approval",
            "permitted-with-conditions", "permitted"]
LANGUAGES = ["en", "zh", "zh+en"]
UNSEEN_MAX = 40  # "unseen3" .. "unseen40": untouched sets, gathered one after another
SPLITS = ["tune", "held-out", "fresh"] + [f"unseen{n}" for n in range(3, UNSEEN_MAX + 1)]
PAIRED_SPLITS = ["tune", "held-out"]  # both must be present; "fresh" and "unseenN" are untouched sets
UNTOUCHED_SPLITS = set(SPLITS) - set(PAIRED_SPLITS)  # must be distinct from every other text
KINDS = {"commercial-grant", "non-commercial", "research-only", "registration",
         "written-authorization", "application", "separate-license", "user-threshold",
         "revenue-threshold", "company-size-threshold", "acceptable-use-policy",
         "attribution", "name-prefix", "no-training-other-models",
         "use-restrictions-passdown", "field-of-use-ban", "territory-exclusion",
         "contact", "license-copy", "notice-file"}
NEEDS_VALUE = {"user-threshold", "revenue-threshold", "company-size-threshold", "contact"}
WINDOW = 3  # a quote may start on its line or continue onto the 3 lines after it
# Texts mri's knowledge base is built from; nothing here may duplicate them.
KB_DIRS = [REPO / "licenses" / "texts", REPO / "tests" / "license-corpus" / "texts"]
NEAR_COPY = 0.80  # Jaccard similarity of character 8-grams

WS = re.compile(r"\s+")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")

problems = []


def problem(msg):
    problems.append(msg)


def norm(s):
    return WS.sub(" ", s).strip()


def shingles(text, k=8):
    t = norm(text).lower()
    return {t[i:i + k] for i in range(max(1, len(t) - k + 1))}


def check_quote(where, lines, line, quote):
    if not isinstance(line, int) or line < 1 or line > len(lines):
        problem(f"{where}: line {line!r} outside 1..{len(lines)}")
        return
    window = norm(" ".join(lines[line - 1:line + WINDOW]))
    if norm(quote) not in window:
        problem(f"{where}: quote not found at line {line} (+{WINDOW}): {quote!r}")
    if CJK.search(quote):
        if not 6 <= len(norm(quote)) <= 200:
            problem(f"{where}: CJK quote should be 6..200 characters: {quote!r}")
    else:
        n = len(norm(quote).split(" "))
        if not 5 <= n <= 30:
            problem(f"{where}: quote has {n} words, want 5..30: {quote!r}")


def main():
    expected_path = HERE / "expected.toml"
    sources_path = HERE / "sources.tsv"
    texts_dir = HERE / "texts"
    for p in (expected_path, sources_path, texts_dir, HERE / "README.md"):
        if not p.exists():
            problem(f"missing {p.relative_to(HERE)}")
    if problems:
        return report({}, [])

    with open(expected_path, "rb") as f:
        data = tomllib.load(f)
    entries = data.get("text", [])
    if not entries:
        problem("expected.toml has no [[text]] entries")

    with open(sources_path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    sources = {}
    for r in rows:
        if set(r) != {"slug", "source", "language", "family"}:
            problem(f"sources.tsv: bad columns {sorted(r)}")
            continue
        if r["slug"] in sources:
            problem(f"sources.tsv: duplicate slug {r['slug']}")
        if not all((r[c] or "").strip() for c in r):
            problem(f"sources.tsv: empty field for {r['slug']}")
        sources[r["slug"]] = r

    on_disk = {p.stem for p in texts_dir.glob("*.txt")}
    seen = set()
    kb = []
    for d in KB_DIRS:
        if d.is_dir():
            for p in sorted(d.glob("*.txt")):
                kb.append((p, shingles(p.read_text(encoding="utf-8", errors="replace"))))
    if not kb:
        print("note: knowledge-base texts not found; near-copy check skipped")

    # Every eval text is also compared with every other eval text.
    split_of = {}
    for e in entries:
        m = re.fullmatch(r"texts/([a-z0-9][a-z0-9.\-]*)\.txt", e.get("file", ""))
        if m:
            split_of[m.group(1)] = e.get("split")
    eval_shingles = {}
    for p in sorted(texts_dir.glob("*.txt")):
        eval_shingles[p.stem] = shingles(p.read_text(encoding="utf-8", errors="replace"))

    for n, e in enumerate(entries, 1):
        where = f"text #{n}"
        for key in ("file", "verdict", "language", "split", "why"):
            if not isinstance(e.get(key), str) or not e.get(key).strip():
                problem(f"{where}: missing or empty {key}")
        file = e.get("file", "")
        where = file or where
        m = re.fullmatch(r"texts/([a-z0-9][a-z0-9.\-]*)\.txt", file)
        if not m:
            problem(f"{where}: file must be texts/<slug>.txt")
            continue
        slug = m.group(1)
        if slug in seen:
            problem(f"{where}: listed twice")
        seen.add(slug)
        if e.get("verdict") not in VERDICTS:
            problem(f"{where}: verdict {e.get('verdict')!r} not allowed")
        if e.get("language") not in LANGUAGES:
            problem(f"{where}: language {e.get('language')!r} not allowed")
        if e.get("split") not in SPLITS:
            problem(f"{where}: split {e.get('split')!r} not allowed")
        if slug in sources and sources[slug]["language"] != e.get("language"):
            problem(f"{where}: language differs from sources.tsv")
        path = HERE / file
        if not path.is_file():
            problem(f"{where}: file does not exist")
            continue
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            problem(f"{where}: not UTF-8")
            continue
        if "\r" in text:
            problem(f"{where}: has CR line endings")
        if text.startswith("\ufeff"):
            problem(f"{where}: has a byte-order mark")
        n_cjk = len(CJK.findall(text))
        if e.get("language") in ("zh", "zh+en") and n_cjk < 20:
            problem(f"{where}: language {e.get('language')} but almost no Chinese text")
        if e.get("language") == "en" and n_cjk > 10:
            problem(f"{where}: language en but {n_cjk} CJK characters")
        lines = text.split("\n")
        clauses = e.get("clauses", [])
        if not clauses:
            problem(f"{where}: no clauses")
        for c in clauses:
            cw = f"{where} [{c.get('kind')}]"
            if c.get("kind") not in KINDS:
                problem(f"{cw}: kind not allowed")
            if not isinstance(c.get("quote"), str):
                problem(f"{cw}: missing quote")
                continue
            check_quote(cw, lines, c.get("line"), c["quote"])
            if c.get("kind") in NEEDS_VALUE and not c.get("value"):
                problem(f"{cw}: needs a value")
            extra = set(c) - {"kind", "line", "quote", "value"}
            if extra:
                problem(f"{cw}: unknown keys {sorted(extra)}")
        mine = shingles(text)
        for p, theirs in kb:
            j = len(mine & theirs) / max(1, len(mine | theirs))
            if j >= NEAR_COPY:
                problem(f"{where}: near copy ({j:.2f}) of knowledge-base text {p.relative_to(REPO)}")
        for other, theirs in eval_shingles.items():
            if other <= slug:
                continue  # each pair once
            j = len(mine & theirs) / max(1, len(mine | theirs))
            if j < NEAR_COPY:
                continue
            msg = f"{where}: near copy ({j:.2f}) of eval text texts/{other}.txt"
            if UNTOUCHED_SPLITS & {e.get("split"), split_of.get(other)}:
                problem(msg)  # the untouched sets must be distinct from everything
            else:
                # two revisions / one template inside tune+held-out, documented in README
                print(f"note: {msg}")

    for slug in sorted(on_disk - seen):
        problem(f"texts/{slug}.txt is not listed in expected.toml")
    for slug in sorted(seen - on_disk):
        problem(f"texts/{slug}.txt is listed but missing")
    for slug in sorted(set(sources) ^ seen):
        problem(f"{slug}: in only one of sources.tsv / expected.toml")

    splits = {e.get("split") for e in entries}
    for s in PAIRED_SPLITS:
        if s not in splits:
            problem(f"no text in split {s}")
    return report(sources, entries)


def report(sources, entries):
    def table(title, key):
        c = collections.Counter(key(e) for e in entries)
        print(title)
        for k in sorted(c):
            print(f"  {k:<28} {c[k]}")

    if entries:
        print(f"texts: {len(entries)}")
        table("by verdict:", lambda e: e.get("verdict"))
        table("by language:", lambda e: e.get("language"))
        table("by split:", lambda e: e.get("split"))
        table("by split and language:", lambda e: f"{e.get('split')} / {e.get('language')}")
        table("by split and verdict:", lambda e: f"{e.get('split')} / {e.get('verdict')}")
        print(f"clauses: {sum(len(e.get('clauses', [])) for e in entries)}")
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print("  - " + p)
        return 1
    print("\nOK")
    return 0


KNOWN_DIR = REPO / "tests" / "license-corpus"
VALUE_FORMS = {
    "user-threshold": re.compile(r"\d+ [a-z][a-z ]+"),  # "700000000 monthly active users"
    "revenue-threshold": re.compile(r"[A-Z]{3} \d+ [a-z][a-z ]+"),  # "USD 10000000 annual revenue"
    "company-size-threshold": re.compile(r"([A-Z]{3} )?\d+ [a-z][a-z ]+"),
    "contact": re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+|https?://\S+"),
}


def check_known_clause(cw, lines, c):
    """Check one [[text.clauses]] entry of decisive.toml."""
    if c.get("kind") not in KINDS:
        problem(f"{cw}: kind not allowed")
    if not isinstance(c.get("quote"), str):
        problem(f"{cw}: missing quote")
        return
    check_quote(cw, lines, c.get("line"), c["quote"])
    line = c.get("line")
    if isinstance(line, int) and 1 <= line <= len(lines):
        # The quote must start on its line, not on one of the lines after it.
        first = norm(lines[line - 1])
        window = norm(" ".join(lines[line - 1:line + WINDOW]))
        at = window.find(norm(c["quote"]))
        if at > len(first):
            problem(f"{cw}: quote starts after line {line}")
    extra = set(c) - {"kind", "line", "quote", "value"}
    if extra:
        problem(f"{cw}: unknown keys {sorted(extra)}")
    kind = c.get("kind")
    if kind in NEEDS_VALUE:
        value = c.get("value")
        if not isinstance(value, str) or not value:
            problem(f"{cw}: needs a value")
        elif not VALUE_FORMS[kind].fullmatch(value):
            problem(f"{cw}: value {value!r} not in the fixed form for {kind}")
        elif kind == "contact" and "@" in value:
            window = norm(" ".join(lines[c["line"] - 1:c["line"] + WINDOW]))
            if value not in window:
                problem(f"{cw}: contact {value!r} not at its line (+{WINDOW})")


def check_known():
    """Check tests/license-corpus/decisive.toml against tests/license-corpus/texts/."""
    path = KNOWN_DIR / "decisive.toml"
    texts_dir = KNOWN_DIR / "texts"
    if not path.is_file():
        problem(f"missing {path.relative_to(REPO)}")
        return report({}, [])
    with open(path, "rb") as f:
        entries = tomllib.load(f).get("text", [])
    if not entries:
        problem("decisive.toml has no [[text]] entries")
    seen = set()
    for n, e in enumerate(entries, 1):
        where = e.get("file") or f"text #{n}"
        for key in ("file", "verdict", "language", "split", "why"):
            if not isinstance(e.get(key), str) or not e.get(key).strip():
                problem(f"{where}: missing or empty {key}")
        extra = set(e) - {"file", "verdict", "language", "split", "why", "clauses"}
        if extra:
            problem(f"{where}: unknown keys {sorted(extra)}")
        if e.get("verdict") not in VERDICTS:
            problem(f"{where}: verdict {e.get('verdict')!r} not allowed")
        if e.get("language") not in LANGUAGES:
            problem(f"{where}: language {e.get('language')!r} not allowed")
        if e.get("split") != "known":
            problem(f"{where}: split must be 'known'")
        m = re.fullmatch(r"texts/([A-Za-z0-9][A-Za-z0-9._\-]*)\.txt", e.get("file", ""))
        if not m:
            problem(f"{where}: file must be texts/<name>.txt")
            continue
        if m.group(1) in seen:
            problem(f"{where}: listed twice")
        seen.add(m.group(1))
        p = KNOWN_DIR / e["file"]
        if not p.is_file():
            problem(f"{where}: file does not exist")
            continue
        text = p.read_text(encoding="utf-8")
        n_cjk = len(CJK.findall(text))
        if e.get("language") == "en" and n_cjk > 10:
            problem(f"{where}: language en but {n_cjk} CJK characters")
        if e.get("language") in ("zh", "zh+en") and n_cjk < 20:
            problem(f"{where}: language {e.get('language')} but almost no Chinese text")
        lines = text.split("\n")
        clauses = e.get("clauses", [])
        if not clauses:
            problem(f"{where}: no clauses")
        for c in clauses:
            check_known_clause(f"{where} [{c.get('kind')}] line {c.get('line')}", lines, c)
    on_disk = {p.stem for p in texts_dir.glob("*.txt")}
    for name in sorted(on_disk - seen):
        problem(f"texts/{name}.txt is not listed in decisive.toml")
    for name in sorted(seen - on_disk):
        problem(f"texts/{name}.txt is listed but missing")
    code = report({}, entries)
    kinds = collections.Counter(c.get("kind") for e in entries for c in e.get("clauses", []))
    print("clauses by kind:")
    for k in sorted(kinds):
        print(f"  {k:<28} {kinds[k]}")
    return code


if __name__ == "__main__":
    if sys.argv[1:] == ["--known"]:
        sys.exit(check_known())
    if sys.argv[1:]:
        sys.exit("usage: check_corpus.py [--known]")
    sys.exit(main())

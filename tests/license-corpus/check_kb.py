#!/usr/bin/env python3
"""Check the license knowledge base (licenses/) against the license corpus (tests/license-corpus/).

Standard library only (Python 3.11+ for tomllib). Paths are relative to this file:
  ../../licenses/*.toml, ../../licenses/hub-ids.toml, ../../licenses/texts/
  ./expected.toml, ./texts/, ./hf_license_ids.tsv

Checks:
  * every TOML file parses and follows the schema (exact keys, known verdicts and obligation kinds);
  * ids, aliases and Hub ids are unique; the file name equals the id; text files exist;
  * every title phrase and locate phrase is normalised (lowercase, straight quotes, single spaces),
    locate phrases have 3-12 words, and each occurs in the entry's canonical text (entries without
    a bundled text are reported, not checked);
  * versions of one family can be told apart: each entry with title phrases has at least one that
    does not occur in the canonical text of any other entry of its family;
  * hub-ids.toml maps every row of hf_license_ids.tsv exactly once, with an SPDX id or KB id except
    for other/unknown/family ids, and agrees with the entries' hub_ids and spdx fields;
  * expected.toml covers every text in texts/, names existing entries with the same verdict, lists
    every obligation whose locate phrase occurs in the file, and each stated line is the line where
    the first matching locate phrase starts (computed two independent ways), with an optional
    earlier start line (where that phrase's sentence starts: mri cites from there);
  * a corpus text used as an entry's canonical text is byte-identical to licenses/texts/<id>.txt.
Exit status 0 when everything passes, 1 otherwise.
"""
import os
import re
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
LIC = os.path.normpath(os.path.join(HERE, "..", "..", "licenses"))
TEXTS = os.path.join(HERE, "texts")

VERDICTS = {"prohibited", "research-only", "non-commercial", "requires-approval",
            "permitted-with-conditions", "permitted", "unknown"}
KINDS = {"attribution", "name-prefix", "acceptable-use-policy", "user-threshold", "revenue-threshold",
         "territory-exclusion", "no-training-other-models", "use-restrictions-passdown", "registration",
         "license-copy", "notice-file", "share-alike", "non-commercial", "research-only"}
ENTRY_KEYS = {"id", "name", "family", "version", "released", "spdx", "hub_ids", "aliases", "verdict",
              "text_file", "title_phrases", "model_patterns", "notes", "obligations"}
STR_KEYS = ENTRY_KEYS - {"hub_ids", "aliases", "title_phrases", "model_patterns", "obligations"}
LIST_KEYS = {"hub_ids", "aliases", "title_phrases", "model_patterns"}
OBL_KEYS = {"kind", "summary", "value", "locate"}
QUOTES = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'}

errors = []
notes = []


def err(msg):
    errors.append(msg)


def norm(text):
    """Lowercase, straight quotes, every whitespace run collapsed to one space, trimmed."""
    out, ws = [], False
    for c in text:
        if c.isspace():
            if not ws:
                out.append(" ")
            ws = True
            continue
        ws = False
        out.append(QUOTES.get(c, c).lower())
    return "".join(out).strip()


def norm_with_lines(text):
    """norm() plus, for every output character, the 1-based line of the input it came from."""
    out, lines, line, ws = [], [], 1, False
    for c in text:
        if c.isspace():
            if not ws:
                out.append(" ")
                lines.append(line)
            ws = True
            if c == "\n":
                line += 1
            continue
        ws = False
        for ch in QUOTES.get(c, c).lower():
            out.append(ch)
            lines.append(line)
    s = "".join(out)
    lead = len(s) - len(s.lstrip(" "))
    s2 = s.strip(" ")
    return s2, lines[lead:lead + len(s2)]


def line_by_regex(raw, phrase):
    """Independent computation: regex over the raw text, words separated by \\s+."""
    t = "".join(QUOTES.get(c, c) for c in raw)
    low = t.lower()
    if len(low) != len(t):
        return None
    pat = r"\s+".join(re.escape(w) for w in phrase.split(" "))
    m = re.search(pat, low)
    if not m:
        return None
    return low.count("\n", 0, m.start()) + 1


def load_toml(path):
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        err("%s: does not parse: %s" % (os.path.relpath(path, HERE), e))
        return None


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# ------------------------------------------------------------------ knowledge-base entries
entries = {}
alias_owner = {}
hub_owner = {}
canon_norm = {}
for fn in sorted(os.listdir(LIC)):
    if not fn.endswith(".toml") or fn in ("hub-ids.toml", "base-models.toml", "references.toml", "datasets.toml"):
        continue
    path = os.path.join(LIC, fn)
    d = load_toml(path)
    if d is None:
        continue
    where = "licenses/" + fn
    keys = set(d)
    if keys != ENTRY_KEYS - ({"obligations"} - keys):
        err("%s: keys differ from schema: missing %s, unknown %s"
            % (where, sorted(ENTRY_KEYS - keys - {"obligations"}), sorted(keys - ENTRY_KEYS)))
    for k in STR_KEYS:
        if not isinstance(d.get(k), str):
            err("%s: %s must be a string" % (where, k))
    for k in LIST_KEYS:
        v = d.get(k)
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            err("%s: %s must be a list of strings" % (where, k))
    eid = d.get("id", "")
    if fn[:-5] != eid:
        err("%s: id %r does not match the file name" % (where, eid))
    if eid in entries:
        err("%s: duplicate id %r" % (where, eid))
    entries[eid] = d
    if d.get("verdict") not in VERDICTS:
        err("%s: unknown verdict %r" % (where, d.get("verdict")))
    if not d.get("name") or not d.get("family") or not d.get("notes"):
        err("%s: name, family and notes must be non-empty" % where)
    rel = d.get("released", "")
    if rel and not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", rel):
        err("%s: released %r is not an ISO date" % (where, rel))
    for a in d.get("aliases", []):
        if a != a.lower() or a != a.strip() or not a:
            err("%s: alias %r must be lowercase and trimmed" % (where, a))
        if a in alias_owner and alias_owner[a] != eid:
            err("%s: alias %r also used by %s" % (where, a, alias_owner[a]))
        alias_owner[a] = eid
    for h in d.get("hub_ids", []):
        if h in hub_owner:
            err("%s: hub id %r also claimed by %s" % (where, h, hub_owner[h]))
        hub_owner[h] = eid
    for p in d.get("model_patterns", []):
        if p != p.lower() or "/" not in p:
            err("%s: model pattern %r must be a lowercase org/name glob" % (where, p))
    canon = None
    tf = d.get("text_file", "")
    if tf:
        tpath = os.path.join(LIC, tf)
        if not os.path.isfile(tpath):
            err("%s: text_file %s is missing" % (where, tf))
        else:
            canon = norm(read_text(tpath))
            canon_norm[eid] = canon
    else:
        notes.append("%s: no canonical text bundled; %d phrases not checked against a text"
                     % (eid, len(d.get("title_phrases", [])) + sum(len(o.get("locate", [])) for o in d.get("obligations", []))))
    for p in d.get("title_phrases", []):
        if p != norm(p):
            err("%s: title phrase %r is not normalised" % (where, p))
        if canon is not None and p not in canon:
            err("%s: title phrase %r not found in %s" % (where, p, tf))
    obls = d.get("obligations", [])
    if not isinstance(obls, list):
        err("%s: obligations must be an array of tables" % where)
        obls = []
    for i, o in enumerate(obls):
        ow = "%s obligations[%d]" % (where, i)
        if set(o) != OBL_KEYS:
            err("%s: keys differ from schema: %s" % (ow, sorted(set(o) ^ OBL_KEYS)))
        if o.get("kind") not in KINDS:
            err("%s: unknown kind %r" % (ow, o.get("kind")))
        for k in ("summary", "value"):
            if not isinstance(o.get(k), str):
                err("%s: %s must be a string" % (ow, k))
        if not o.get("summary"):
            err("%s: empty summary" % ow)
        loc = o.get("locate")
        if not isinstance(loc, list) or not (1 <= len(loc) <= 3) or not all(isinstance(x, str) for x in loc):
            err("%s: locate must be a list of 1-3 strings" % ow)
            continue
        if o.get("kind") == "user-threshold" and not o.get("value", "").isdigit():
            err("%s: user-threshold value must be an integer" % ow)
        for p in loc:
            if p != norm(p):
                err("%s: locate phrase %r is not normalised" % (ow, p))
            n = len(p.split(" "))
            if not 3 <= n <= 12:
                err("%s: locate phrase %r has %d words (3-12 allowed)" % (ow, p, n))
            if canon is not None and p not in canon:
                err("%s: locate phrase %r not found in %s" % (ow, p, tf))

for a, owner in alias_owner.items():
    if a in entries and a != owner:
        err("alias %r of %s equals the id of another entry" % (a, owner))

# versions of one family must be distinguishable by title phrases
for eid, d in entries.items():
    tps = d.get("title_phrases", [])
    if not tps:
        continue
    for other, od in entries.items():
        if other == eid or od.get("family") != d.get("family") or other not in canon_norm:
            continue
        if all(p in canon_norm[other] for p in tps):
            err("%s: every title phrase also occurs in the text of %s; versions cannot be told apart" % (eid, other))

# ------------------------------------------------------------------ hub-ids.toml
hub_rows = []
with open(os.path.join(HERE, "hf_license_ids.tsv"), encoding="utf-8") as f:
    for i, line in enumerate(f):
        if i == 0 or not line.strip():
            continue
        hub_rows.append(line.split("\t")[0])
if len(hub_rows) != 83:
    err("hf_license_ids.tsv: expected 83 ids, found %d" % len(hub_rows))
hub = load_toml(os.path.join(LIC, "hub-ids.toml")) or {}
mapped = {}
spdx_values = set()
for r in hub.get("id", []):
    if set(r) != {"hub", "spdx", "kb", "family_only"}:
        err("hub-ids.toml: row %r has keys %s" % (r.get("hub"), sorted(r)))
        continue
    h = r["hub"]
    if h in mapped:
        err("hub-ids.toml: %r mapped twice" % h)
    mapped[h] = r
    if r["spdx"]:
        spdx_values.add(r["spdx"])
    if not isinstance(r["family_only"], bool):
        err("hub-ids.toml: %r family_only must be a boolean" % h)
    if not (r["spdx"] or r["kb"]) and h not in ("other", "unknown") and not r["family_only"]:
        err("hub-ids.toml: %r has neither spdx nor kb" % h)
    if r["kb"]:
        if r["kb"] not in entries:
            err("hub-ids.toml: %r points to missing entry %r" % (h, r["kb"]))
        else:
            e = entries[r["kb"]]
            if h not in e.get("hub_ids", []):
                err("hub-ids.toml: %r -> %r but the entry does not list it in hub_ids" % (h, r["kb"]))
            if e.get("spdx") and e["spdx"] != r["spdx"]:
                err("hub-ids.toml: %r spdx %r differs from entry spdx %r" % (h, r["spdx"], e["spdx"]))
missing = [h for h in hub_rows if h not in mapped]
extra = [h for h in mapped if h not in hub_rows]
if missing:
    err("hub-ids.toml: Hub ids not mapped: %s" % missing)
if extra:
    err("hub-ids.toml: ids not on the Hub list: %s" % extra)
for h, eid in hub_owner.items():
    if h not in mapped or mapped[h]["kb"] != eid:
        err("%s: hub id %r is not mapped to it in hub-ids.toml" % (eid, h))

# ------------------------------------------------------------------ expected.toml
exp = load_toml(os.path.join(HERE, "expected.toml")) or {}
seen = set()
checked_lines = 0
for t in exp.get("text", []):
    fn = t.get("file", "")
    where = "expected.toml[%s]" % fn
    if set(t) - {"file", "license", "verdict", "obligations"}:
        err("%s: unknown keys %s" % (where, sorted(set(t) - {"file", "license", "verdict", "obligations"})))
    if fn in seen:
        err("%s: listed twice" % where)
    seen.add(fn)
    path = os.path.join(TEXTS, fn)
    if not os.path.isfile(path):
        err("%s: file missing in texts/" % where)
        continue
    raw = read_text(path)
    lic = t.get("license", "")
    if t.get("verdict") not in VERDICTS:
        err("%s: unknown verdict %r" % (where, t.get("verdict")))
    if lic not in entries:
        if lic in spdx_values:
            if t.get("obligations"):
                err("%s: SPDX-only license cannot list KB obligations" % where)
            continue
        err("%s: license %r is neither a KB id nor an SPDX id from hub-ids.toml" % (where, lic))
        continue
    e = entries[lic]
    if t.get("verdict") != e.get("verdict"):
        err("%s: verdict %r differs from entry verdict %r" % (where, t.get("verdict"), e.get("verdict")))
    if e.get("text_file"):
        kb_raw = open(os.path.join(LIC, e["text_file"]), "rb").read()
        if open(path, "rb").read() != kb_raw and norm(raw) != canon_norm.get(lic):
            notes.append("%s: detected as %s but not identical to its canonical text" % (fn, lic))
    s, lines = norm_with_lines(raw)
    expected = {}
    for o in e.get("obligations", []):
        for p in o.get("locate", []):
            i = s.find(p)
            if i >= 0:
                expected.setdefault(o["kind"], []).append((lines[i], p))
                break
    listed = {}
    for o in t.get("obligations", []):
        k, ln = o.get("kind"), o.get("line")
        if not {"kind", "line"} <= set(o) <= {"kind", "line", "start"} or not isinstance(ln, int):
            err("%s: obligation %r must have kind and integer line (and optionally start)" % (where, o))
            continue
        st = o.get("start", ln)
        if not isinstance(st, int) or not 1 <= st < ln + (0 if "start" in o else 1):
            err("%s: %s start %r must be a line before its phrase's line %d" % (where, k, st, ln))
        listed.setdefault(k, []).append(ln)
        cands = expected.get(k)
        if not cands:
            err("%s: obligation %r has no locate phrase of %s present in the file" % (where, k, lic))
            continue
        if ln not in [c[0] for c in cands]:
            err("%s: %s stated on line %d, but its locate phrase starts on line(s) %s"
                % (where, k, ln, [c[0] for c in cands]))
            continue
        for cl, p in cands:
            if cl == ln:
                rl = line_by_regex(raw, p)
                if rl is not None and rl != ln:
                    err("%s: %s line %d disagrees with regex line %d for %r" % (where, k, ln, rl, p))
        if not (1 <= ln <= raw.count("\n") + 1):
            err("%s: %s line %d out of range" % (where, k, ln))
        checked_lines += 1
    for k, cands in expected.items():
        if len(listed.get(k, [])) != len(cands):
            err("%s: obligation %r found in the file (line %s) but not listed"
                % (where, k, [c[0] for c in cands]))

for fn in sorted(os.listdir(TEXTS)):
    if fn not in seen:
        err("expected.toml: texts/%s has no [[text]] entry" % fn)

# ------------------------------------------------------------------ report
print("entries: %d (%d with canonical text), hub ids mapped: %d, corpus texts: %d, obligation lines checked: %d"
      % (len(entries), len(canon_norm), len(mapped), len(seen), checked_lines))
for n in notes:
    print("note:", n)
if errors:
    for e in errors:
        print("ERROR:", e)
    print("%d error(s)" % len(errors))
    sys.exit(1)
print("OK")

#!/usr/bin/env python3
"""Count the datasets model cards name in their `datasets:` front matter.

Usage: dataset-mentions.py ROOT [TOP]
       dataset-mentions.py --git-history GIT_DIR [TOP]

ROOT holds model cards as ROOT/<author>/<model>/README.md (the layout of the
Hub snapshot described in licenses/README.md, "The measured list").

--git-history reads a git repository that stores model cards as records in
JSON or CSV files (the layout of the 2025 collection described in
licenses/README.md, "The recent list"): every `.json` and `.csv` file of every
commit, each distinct blob once, in path order; a record is an object or row
with a `model_id` and either a `card` (the whole README.md) or a `metadata`
JSON string whose `card_data` is the card's front matter. A model is counted
once, from the first record that has its card.

Prints a TSV, most named first: rank, id (as cards most often spell it), cards
(model cards naming it), authors (distinct Hub users or orgs among those
cards). Ranked by authors, then cards, so that one author's many uploads do
not outweigh use across the Hub. Standard library only: the front matter's
`datasets:` key is read as a block list, a flow list or a scalar.
"""
import collections
import csv
import io
import json
import os
import subprocess
import sys

HUB_PREFIXES = ("https://huggingface.co/datasets/", "huggingface.co/datasets/", "hf://datasets/")
# The `datasets` library's packaged loaders: a card naming one (TRL writes
# `generator` for data passed as a Python generator) names a file format or a
# local source, not a dataset.
PACKAGED_LOADERS = {
    "arrow", "audiofolder", "csv", "generator", "imagefolder", "json", "pandas",
    "parquet", "sql", "text", "videofolder", "webdataset",
}


def front_matter(text):
    """The lines between the opening `---` and the closing one, or None."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for i, line in enumerate(lines[1:], 1):
        if line.strip() == "---":
            return lines[1:i]
    return None


def unquote(value):
    value = value.split(" #")[0].strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return value.strip()


def datasets_value(lines):
    """The items of the top-level `datasets:` key."""
    for i, line in enumerate(lines):
        if not line.startswith("datasets:"):
            continue
        rest = line[len("datasets:"):].strip()
        if rest.startswith("["):
            return [unquote(v) for v in rest.strip("[]").split(",") if v.strip()]
        if rest:
            return [unquote(rest)]
        items = []
        for item in lines[i + 1:]:
            stripped = item.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if not item[0].isspace() and not stripped.startswith("-"):
                break
            if stripped.startswith("- "):
                items.append(unquote(stripped[2:]))
            elif stripped == "-":
                continue
            else:
                break
        return items
    return []


def normalise(raw):
    """A dataset id as the Hub knows it, without a config; None for a URL
    elsewhere or text that is no id."""
    d = raw.strip()
    for prefix in HUB_PREFIXES:
        if d.startswith(prefix):
            d = d[len(prefix):]
    if "://" in d:
        return None
    d = d.split(":")[0].strip().rstrip("/")
    if not d or d.lower() in ("null", "~", "none") or " " in d or d.count("/") > 1:
        return None
    if d.lower() in PACKAGED_LOADERS:
        return None
    return d


def snapshot_cards(root):
    """(author, card text) for every model card of a snapshot directory."""
    for author in sorted(os.listdir(root)):
        adir = os.path.join(root, author)
        if not os.path.isdir(adir):
            continue
        for model in sorted(os.listdir(adir)):
            path = os.path.join(adir, model, "README.md")
            if not os.path.isfile(path):
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                yield author, f.read()


def git(git_dir, *args):
    return subprocess.run(["git", "--git-dir", git_dir, *args], capture_output=True, check=False)


def record_front_matter(record):
    """The front matter lines of a record's card, or None."""
    card = record.get("card")
    if isinstance(card, str) and card.strip():
        return front_matter(card)
    try:
        meta = json.loads(record.get("metadata") or "null")
    except (TypeError, ValueError):
        return None
    data = meta.get("card_data") if isinstance(meta, dict) else None
    return data.splitlines() if isinstance(data, str) and data.strip() else None


def records(text, path):
    """The objects or rows with a `model_id` in one JSON or CSV file."""
    if path.endswith(".csv"):
        try:
            yield from (r for r in csv.DictReader(io.StringIO(text)) if r.get("model_id"))
        except csv.Error:
            return
        return
    try:
        stack = [json.loads(text)]
    except ValueError:
        return
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            if isinstance(x.get("model_id"), str):
                yield x
            stack.extend(reversed(list(x.values())))
        elif isinstance(x, list):
            stack.extend(reversed(x))


def history_cards(git_dir):
    """(author, front matter lines) for every model of a repository's history."""
    csv.field_size_limit(1 << 30)
    blobs = {}
    for commit in git(git_dir, "rev-list", "--all").stdout.decode().split():
        for line in git(git_dir, "ls-tree", "-r", commit).stdout.decode("utf-8", "replace").splitlines():
            meta, path = line.split("\t", 1)
            if path.endswith((".json", ".csv")):
                blobs.setdefault(meta.split()[2], path)
    done = set()
    for blob, path in sorted(blobs.items(), key=lambda b: (b[1], b[0])):
        out = git(git_dir, "cat-file", "blob", blob)
        if out.returncode != 0:
            continue  # a blob the copy lacks
        for record in records(out.stdout.decode("utf-8", "replace"), path):
            model = record["model_id"]
            lines = record_front_matter(record)
            if lines is None or model.lower() in done or "/" not in model:
                continue
            done.add(model.lower())
            yield model.split("/")[0], lines


def main():
    if sys.argv[1] == "--git-history":
        items = history_cards(sys.argv[2])
        top = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    else:
        items = ((a, front_matter(t) or []) for a, t in snapshot_cards(sys.argv[1]) if t.strip())
        top = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    cards, authors = collections.Counter(), collections.defaultdict(set)
    spellings = collections.defaultdict(collections.Counter)
    total = naming = 0
    for author, lines in items:
        total += 1
        seen = set()
        for raw in datasets_value(lines):
            d = normalise(raw)
            if d and d.lower() not in seen:
                seen.add(d.lower())
                cards[d.lower()] += 1
                authors[d.lower()].add(author.lower())
                spellings[d.lower()][d] += 1
        naming += bool(seen)
    print(f"# {total} model cards, {naming} with datasets:, {len(cards)} distinct ids", file=sys.stderr)
    ranked = sorted(cards, key=lambda k: (-len(authors[k]), -cards[k], k))
    print("rank\tid\tcards\tauthors")
    for rank, k in enumerate(ranked[:top] if top else ranked, 1):
        print(f"{rank}\t{spellings[k].most_common(1)[0][0]}\t{cards[k]}\t{len(authors[k])}")


if __name__ == "__main__":
    main()

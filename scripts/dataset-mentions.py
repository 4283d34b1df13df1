#!/usr/bin/env python3
"""Count the datasets model cards name in their `datasets:` front matter.

Usage: dataset-mentions.py ROOT [TOP]

ROOT holds model cards as ROOT/<author>/<model>/README.md (the layout of the
Hub snapshot described in licenses/README.md, "The measured list"). Prints a
TSV, most named first: rank, id (as cards most often spell it), cards (model
cards naming it), authors (distinct Hub users or orgs among those cards).
Ranked by authors, then cards, so that one author's many uploads do not
outweigh use across the Hub. Standard library only: the front matter's
`datasets:` key is read as a block list, a flow list or a scalar.
"""
import collections
import os
import sys

HUB_PREFIXES = ("https://huggingface.co/datasets/", "huggingface.co/datasets/", "hf://datasets/")


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
    return d


def main():
    root = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    cards, authors = collections.Counter(), collections.defaultdict(set)
    spellings = collections.defaultdict(collections.Counter)
    total = naming = 0
    for author in sorted(os.listdir(root)):
        adir = os.path.join(root, author)
        if not os.path.isdir(adir):
            continue
        for model in sorted(os.listdir(adir)):
            path = os.path.join(adir, model, "README.md")
            if not os.path.isfile(path):
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            if not text.strip():
                continue
            total += 1
            seen = set()
            for raw in datasets_value(front_matter(text) or []):
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

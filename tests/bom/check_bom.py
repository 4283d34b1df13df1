"""Checks BOMs written by mri with the reference tools from the package index.

    python check_bom.py cyclonedx FILE...   CycloneDX 1.6, strict JSON schema validation
    python check_bom.py spdx FILE...        SPDX 3.0.1: decoded by spdx-python-model's
                                            JSONLDDeserializer, then re-encoded by its
                                            JSONLDSerializer (every required property)

Exit 0 when every file passes; 1 with each problem on stderr otherwise.
Run by tests/bom.rs inside the venv that .ci/run builds (target/bom-venv).
"""

import io
import json
import sys


def check_cyclonedx(path):
    from cyclonedx.schema import OutputFormat, SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    validator = JsonStrictValidator(SchemaVersion.V1_6)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    error = validator.validate_str(text)
    if error is not None:
        return [f"{path}: CycloneDX 1.6 strict validation: {error}"]
    return []


def check_spdx(path):
    from spdx_python_model import v3_0_1 as spdx

    objects = spdx.SHACLObjectSet()
    with open(path, "rb") as f:
        spdx.JSONLDDeserializer().read(f, objects)
    problems = []
    kinds = {type(o).__name__ for o in objects.foreach()}
    for needed in ("ai_AIPackage", "SpdxDocument", "CreationInfo"):
        if needed not in kinds:
            problems.append(f"{path}: no {needed} decoded (decoded: {sorted(kinds)})")
    out = io.BytesIO()
    spdx.JSONLDSerializer().write(objects, out)
    json.loads(out.getvalue())
    return problems


def main(argv):
    if len(argv) < 3 or argv[1] not in ("cyclonedx", "spdx"):
        print(__doc__, file=sys.stderr)
        return 2
    check = check_cyclonedx if argv[1] == "cyclonedx" else check_spdx
    problems = []
    for path in argv[2:]:
        try:
            problems.extend(check(path))
        except Exception as e:  # every rejection is a failure, named with its file
            problems.append(f"{path}: {type(e).__name__}: {e}")
    for p in problems:
        print(p[:1500], file=sys.stderr)
    if not problems:
        print(f"{argv[1]}: {len(argv) - 2} file(s) accepted")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

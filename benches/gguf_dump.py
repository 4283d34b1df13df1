"""gguf-dump-style reading with the `gguf` package (llama.cpp's own Python
reader): every metadata field and every tensor info, then a one-line summary.

    python benches/gguf_dump.py FILE.gguf
"""
import sys

from gguf import GGUFReader

reader = GGUFReader(sys.argv[1], "r")
fields = {}
for name, field in reader.fields.items():
    # the value as gguf-dump shows it (strings decoded, arrays counted)
    if field.types and field.types[0].name == "STRING":
        fields[name] = bytes(field.parts[field.data[0]]).decode("utf-8", "replace")
    elif field.types and field.types[0].name == "ARRAY":
        fields[name] = len(field.data)
    else:
        fields[name] = field.parts[field.data[0]].tolist() if field.data else None
params = 0
for t in reader.tensors:
    params += int(t.n_elements)
print(fields.get("general.architecture"), len(reader.tensors), params)

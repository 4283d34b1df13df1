"""Writes a LoRA adapter (adapter_config.json + adapter_model.safetensors) for
a base model directory, with the standard library only: for every base weight
`<module>.weight` whose last module name is one of TARGETS, a lora_A
[r, in] and a lora_B [out, r] of small deterministic random values, in the
base's dtype (F32, BF16 or F16).

    python3 benches/lora_adapter.py BASE_DIR OUT_DIR RANK TARGET [TARGET ...]
"""
import json
import pathlib
import random
import struct
import sys

base, out, rank, targets = (pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]),
                            int(sys.argv[3]), sys.argv[4:])


def header(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(n))


def encode(values, dtype):
    if dtype == "F32":
        return struct.pack(f"<{len(values)}f", *values)
    if dtype == "F16":
        return struct.pack(f"<{len(values)}e", *values)
    if dtype == "BF16":  # the high half of each f32 (truncation)
        raw = struct.pack(f"<{len(values)}f", *values)
        return b"".join(raw[i + 2:i + 4] for i in range(0, len(raw), 4))
    sys.exit(f"unsupported base dtype {dtype}")


rng = random.Random(0)
tensors = {}
for shard in sorted(base.glob("*.safetensors")):
    for name, info in header(shard).items():
        if name == "__metadata__" or not name.endswith(".weight"):
            continue
        module = name[: -len(".weight")]
        if module.rsplit(".", 1)[-1] not in targets or len(info["shape"]) != 2:
            continue
        rows, cols = info["shape"]  # [out, in]
        for part, shape in (("lora_A", [rank, cols]), ("lora_B", [rows, rank])):
            n = shape[0] * shape[1]
            data = encode([rng.uniform(-0.05, 0.05) for _ in range(n)], info["dtype"])
            tensors[f"base_model.model.{module}.{part}.weight"] = (info["dtype"], shape, data)
if not tensors:
    sys.exit(f"no 2-D weight in {base} ends with one of {targets}")

meta, blobs, offset = {}, [], 0
for name, (dtype, shape, data) in sorted(tensors.items()):
    meta[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
head = json.dumps(meta, separators=(",", ":")).encode()
head += b" " * (-len(head) % 8)
out.mkdir(parents=True, exist_ok=True)
with open(out / "adapter_model.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(head)) + head + b"".join(blobs))
config = {"peft_type": "LORA", "r": rank, "lora_alpha": 2 * rank, "lora_dropout": 0.0,
          "target_modules": targets, "base_model_name_or_path": str(base)}
(out / "adapter_config.json").write_text(json.dumps(config, indent=2) + "\n")
print(f"{len(tensors) // 2} LoRA pairs of rank {rank} written to {out}")

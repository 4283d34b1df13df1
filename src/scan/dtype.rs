//! The element types a safetensors header may name.

/// Bits per element of a safetensors dtype, or `None` for a name the format
/// does not define (reported as `weights/unknown-dtype`, never fatal).
///
/// Covers every dtype of safetensors 0.8, including the sub-byte float kinds
/// (`F4`, `F6_E2M3`, `F6_E3M2`) and the FP8 variants.
pub fn dtype_bits(name: &str) -> Option<u64> {
    Some(match name {
        "F4" => 4,
        "F6_E2M3" | "F6_E3M2" => 6,
        "BOOL" | "U8" | "I8" | "F8_E5M2" | "F8_E4M3" | "F8_E8M0" | "F8_E4M3FNUZ"
        | "F8_E5M2FNUZ" => 8,
        "I16" | "U16" | "F16" | "BF16" => 16,
        "I32" | "U32" | "F32" => 32,
        "I64" | "U64" | "F64" | "C64" => 64,
        _ => return None,
    })
}

/// True for the floating-point dtypes that hold ordinary model weights.
pub fn is_float_weight_dtype(name: &str) -> bool {
    matches!(name, "F16" | "BF16" | "F32" | "F64")
}

/// Maps a `torch_dtype` spelling from config.json (`bfloat16`, `float16`, ...)
/// to the safetensors dtype name, when it names one.
pub fn torch_dtype_to_safetensors(torch: &str) -> Option<&'static str> {
    let t = torch.trim().trim_start_matches("torch.");
    Some(match t {
        "bfloat16" | "bf16" => "BF16",
        "float16" | "half" | "fp16" | "f16" => "F16",
        "float32" | "float" | "fp32" | "f32" => "F32",
        "float64" | "double" => "F64",
        "float8_e4m3fn" => "F8_E4M3",
        "float8_e5m2" => "F8_E5M2",
        "int8" => "I8",
        "uint8" => "U8",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_safetensors_dtype_has_a_size() {
        for name in [
            "BOOL",
            "F4",
            "F6_E2M3",
            "F6_E3M2",
            "U8",
            "I8",
            "F8_E5M2",
            "F8_E4M3",
            "F8_E8M0",
            "F8_E4M3FNUZ",
            "F8_E5M2FNUZ",
            "I16",
            "U16",
            "F16",
            "BF16",
            "I32",
            "U32",
            "F32",
            "C64",
            "F64",
            "I64",
            "U64",
        ] {
            assert!(dtype_bits(name).is_some(), "{name}");
        }
        assert_eq!(dtype_bits("F4"), Some(4));
        assert_eq!(dtype_bits("Q4_K"), None);
    }

    #[test]
    fn torch_dtypes_map() {
        assert_eq!(torch_dtype_to_safetensors("bfloat16"), Some("BF16"));
        assert_eq!(torch_dtype_to_safetensors("torch.float16"), Some("F16"));
        assert_eq!(torch_dtype_to_safetensors("auto"), None);
    }
}

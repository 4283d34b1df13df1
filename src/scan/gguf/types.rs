//! The ggml tensor types: id → name, block size (elements) and type size
//! (bytes per block), as ggml defines them (`ggml-common.h`; the `gguf`
//! Python package's `GGML_QUANT_SIZES` agrees except for Q8_1).

/// One ggml tensor type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GgmlType {
    /// The type id written in the file.
    pub id: u32,
    /// Its name, e.g. `Q4_K`.
    pub name: &'static str,
    /// Elements per block (1 for plain types).
    pub block_size: u64,
    /// Bytes per block.
    pub type_size: u64,
}

impl GgmlType {
    /// Bits per element (type size × 8 / block size), e.g. 4.5 for Q4_K.
    pub fn bits_per_element(&self) -> f64 {
        self.type_size as f64 * 8.0 / self.block_size as f64
    }

    /// True for the plain float types (F32, F16, BF16, F64).
    pub fn is_float(&self) -> bool {
        matches!(self.name, "F32" | "F16" | "BF16" | "F64")
    }
}

const fn t(id: u32, name: &'static str, block_size: u64, type_size: u64) -> GgmlType {
    GgmlType {
        id,
        name,
        block_size,
        type_size,
    }
}

/// `QK_K`, the super-block of the k-quants and i-quants.
const QK_K: u64 = 256;

/// Every type a GGUF file may hold today.
pub const TYPES: &[GgmlType] = &[
    t(0, "F32", 1, 4),
    t(1, "F16", 1, 2),
    t(2, "Q4_0", 32, 2 + 16),
    t(3, "Q4_1", 32, 2 + 2 + 16),
    t(6, "Q5_0", 32, 2 + 4 + 16),
    t(7, "Q5_1", 32, 2 + 2 + 4 + 16),
    t(8, "Q8_0", 32, 2 + 32),
    // ggml's block_q8_1 holds d and s as f16 (36 bytes, as candle has it);
    // the Python gguf package's table says 4 + 4 + 32.
    t(9, "Q8_1", 32, 2 + 2 + 32),
    t(10, "Q2_K", QK_K, 2 + 2 + QK_K / 16 + QK_K / 4),
    t(11, "Q3_K", QK_K, 2 + QK_K / 4 + QK_K / 8 + 12),
    t(12, "Q4_K", QK_K, 2 + 2 + QK_K / 2 + 12),
    t(13, "Q5_K", QK_K, 2 + 2 + QK_K / 2 + QK_K / 8 + 12),
    t(14, "Q6_K", QK_K, 2 + QK_K / 2 + QK_K / 4 + QK_K / 16),
    t(15, "Q8_K", QK_K, 4 + QK_K + QK_K / 8),
    t(16, "IQ2_XXS", QK_K, 2 + QK_K / 4),
    t(17, "IQ2_XS", QK_K, 2 + QK_K / 4 + QK_K / 32),
    t(18, "IQ3_XXS", QK_K, 2 + QK_K / 4 + QK_K / 8),
    t(19, "IQ1_S", QK_K, 2 + QK_K / 8 + QK_K / 16),
    t(20, "IQ4_NL", 32, 2 + 16),
    t(21, "IQ3_S", QK_K, 2 + QK_K / 4 + QK_K / 8 + QK_K / 32 + 4),
    t(22, "IQ2_S", QK_K, 2 + QK_K / 4 + QK_K / 16),
    t(23, "IQ4_XS", QK_K, 2 + 2 + QK_K / 2 + QK_K / 64),
    t(24, "I8", 1, 1),
    t(25, "I16", 1, 2),
    t(26, "I32", 1, 4),
    t(27, "I64", 1, 8),
    t(28, "F64", 1, 8),
    t(29, "IQ1_M", QK_K, QK_K / 8 + QK_K / 16 + QK_K / 32),
    t(30, "BF16", 1, 2),
    t(34, "TQ1_0", QK_K, 2 + 4 * 13),
    t(35, "TQ2_0", QK_K, 2 + 64),
    t(39, "MXFP4", 32, 1 + 16),
    t(40, "NVFP4", 64, 4 + 32),
    t(41, "Q1_0", 128, 2 + 16),
];

/// Type ids that ggml once had and removed; files holding them are refused
/// by today's llama.cpp.
const REMOVED: &[(u32, &str)] = &[
    (4, "Q4_2"),
    (5, "Q4_3"),
    (31, "Q4_0_4_4"),
    (32, "Q4_0_4_8"),
    (33, "Q4_0_8_8"),
    (36, "IQ4_NL_4_4"),
    (37, "IQ4_NL_4_8"),
    (38, "IQ4_NL_8_8"),
];

/// The type with this id, when ggml defines it.
pub fn ggml_type(id: u32) -> Option<&'static GgmlType> {
    TYPES.iter().find(|t| t.id == id)
}

/// The name of a removed type id (`Q4_2`, `Q4_0_4_4`, ...).
pub fn removed_type(id: u32) -> Option<&'static str> {
    REMOVED.iter().find(|(i, _)| *i == id).map(|(_, n)| *n)
}

/// The name of a `general.file_type` value (llama.cpp's `llama_ftype`).
pub fn file_type_name(id: u64) -> Option<&'static str> {
    Some(match id {
        0 => "ALL_F32",
        1 => "MOSTLY_F16",
        2 => "MOSTLY_Q4_0",
        3 => "MOSTLY_Q4_1",
        4 => "MOSTLY_Q4_1_SOME_F16",
        7 => "MOSTLY_Q8_0",
        8 => "MOSTLY_Q5_0",
        9 => "MOSTLY_Q5_1",
        10 => "MOSTLY_Q2_K",
        11 => "MOSTLY_Q3_K_S",
        12 => "MOSTLY_Q3_K_M",
        13 => "MOSTLY_Q3_K_L",
        14 => "MOSTLY_Q4_K_S",
        15 => "MOSTLY_Q4_K_M",
        16 => "MOSTLY_Q5_K_S",
        17 => "MOSTLY_Q5_K_M",
        18 => "MOSTLY_Q6_K",
        19 => "MOSTLY_IQ2_XXS",
        20 => "MOSTLY_IQ2_XS",
        21 => "MOSTLY_Q2_K_S",
        22 => "MOSTLY_IQ3_XS",
        23 => "MOSTLY_IQ3_XXS",
        24 => "MOSTLY_IQ1_S",
        25 => "MOSTLY_IQ4_NL",
        26 => "MOSTLY_IQ3_S",
        27 => "MOSTLY_IQ3_M",
        28 => "MOSTLY_IQ2_S",
        29 => "MOSTLY_IQ2_M",
        30 => "MOSTLY_IQ4_XS",
        31 => "MOSTLY_IQ1_M",
        32 => "MOSTLY_BF16",
        36 => "MOSTLY_TQ1_0",
        37 => "MOSTLY_TQ2_0",
        38 => "MOSTLY_MXFP4_MOE",
        39 => "MOSTLY_NVFP4",
        40 => "MOSTLY_Q1_0",
        1024 => "GUESSED",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_sizes_match_ggml() {
        let get = |n: &str| *TYPES.iter().find(|t| t.name == n).unwrap();
        assert_eq!((get("Q4_0").block_size, get("Q4_0").type_size), (32, 18));
        assert_eq!(get("Q8_0").type_size, 34);
        assert_eq!(get("Q4_K").type_size, 144);
        assert_eq!(get("Q5_K").type_size, 176);
        assert_eq!(get("Q6_K").type_size, 210);
        assert_eq!(get("Q2_K").type_size, 84);
        assert_eq!(get("Q3_K").type_size, 110);
        assert_eq!(get("Q8_K").type_size, 292);
        assert_eq!(get("IQ4_XS").type_size, 136);
        assert_eq!(get("Q4_K").bits_per_element(), 4.5);
        assert_eq!(get("Q4_1").bits_per_element(), 5.0);
    }

    #[test]
    fn ids_and_names_are_unique() {
        for (i, a) in TYPES.iter().enumerate() {
            for b in &TYPES[i + 1..] {
                assert_ne!(a.id, b.id);
                assert_ne!(a.name, b.name);
            }
            assert!(removed_type(a.id).is_none());
        }
    }

    #[test]
    fn candle_agrees_on_the_types_it_has() {
        use candle_core::quantized::GgmlDType;
        for (id, d) in [
            (0, GgmlDType::F32),
            (1, GgmlDType::F16),
            (30, GgmlDType::BF16),
            (2, GgmlDType::Q4_0),
            (3, GgmlDType::Q4_1),
            (6, GgmlDType::Q5_0),
            (7, GgmlDType::Q5_1),
            (8, GgmlDType::Q8_0),
            (9, GgmlDType::Q8_1),
            (10, GgmlDType::Q2K),
            (11, GgmlDType::Q3K),
            (12, GgmlDType::Q4K),
            (13, GgmlDType::Q5K),
            (14, GgmlDType::Q6K),
            (15, GgmlDType::Q8K),
        ] {
            let ours = ggml_type(id).unwrap();
            assert_eq!(ours.block_size, d.block_size() as u64, "{d:?}");
            assert_eq!(ours.type_size, d.type_size() as u64, "{d:?}");
        }
    }
}

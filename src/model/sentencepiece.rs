//! SentencePiece `.model` files (`tokenizer.model`, `spiece.model`,
//! `sentencepiece.bpe.model`): a protobuf `ModelProto`, read by hand for what
//! the report needs (how many pieces, which are special, the trainer's model
//! type and special ids). Repositories that ship only this file (no
//! tokenizer.json) are common among older and Chinese-origin models.
//!
//! The wire format: each field is a varint key (`field << 3 | wire type`)
//! followed by a varint, 8 bytes, 4 bytes, or a varint length and that many
//! bytes. `ModelProto` field 1 is a repeated `SentencePiece` (field 1 the
//! piece text, 2 its score, 3 its type); field 2 is the `TrainerSpec`
//! (field 3 model type; 40–43 unk/bos/eos/pad ids).

use thiserror::Error;

/// What a SentencePiece model file holds, as far as the report needs it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SentencePieceModel {
    /// Pieces in the vocabulary (ids run from 0 to `pieces - 1`).
    pub pieces: u64,
    /// Pieces that are not normal text: control, unknown and user-defined
    /// ones, with their ids, in id order.
    pub special_pieces: Vec<(String, u64)>,
    /// The trainer's model type (`Unigram`, `BPE`, `Word`, `Char`).
    pub model_type: &'static str,
    /// The trainer's unk/bos/eos/pad ids (absent when disabled with -1).
    pub unk_id: Option<u64>,
    /// Beginning-of-sequence id.
    pub bos_id: Option<u64>,
    /// End-of-sequence id.
    pub eos_id: Option<u64>,
    /// Padding id.
    pub pad_id: Option<u64>,
}

impl SentencePieceModel {
    /// The id of a special piece by its text.
    pub fn special_id(&self, piece: &str) -> Option<u64> {
        self.special_pieces
            .iter()
            .find(|(p, _)| p == piece)
            .map(|(_, id)| *id)
    }

    /// The text of a special piece by its id.
    pub fn special_piece(&self, id: u64) -> Option<&str> {
        self.special_pieces
            .iter()
            .find(|(_, i)| *i == id)
            .map(|(p, _)| p.as_str())
    }
}

/// Why a file is not a readable SentencePiece model.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum SentencePieceError {
    /// The bytes end inside a field.
    #[error("ends inside a protobuf field at byte {0}: the file is truncated or not a SentencePiece model")]
    Truncated(usize),
    /// A varint runs past 10 bytes.
    #[error("has a malformed protobuf varint at byte {0}: not a SentencePiece model")]
    BadVarint(usize),
    /// A wire type protobuf does not have (or groups, which this message never uses).
    #[error("has protobuf wire type {wire} at byte {at}, which a SentencePiece model never uses: not a SentencePiece model")]
    BadWireType {
        /// The wire type met.
        wire: u8,
        /// Where its key starts.
        at: usize,
    },
    /// The message parsed but holds no pieces.
    #[error("holds no vocabulary pieces: not a SentencePiece model")]
    NoPieces,
}

/// One protobuf field's value.
enum Value<'a> {
    /// A varint (wire type 0).
    Varint(u64),
    /// 8 or 4 fixed bytes (wire types 1 and 5); the report needs none of them.
    Fixed,
    /// A length-delimited field (wire type 2): strings and sub-messages.
    Bytes(&'a [u8]),
}

/// A cursor over protobuf bytes that never reads past the end.
struct Wire<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Wire<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Wire { bytes, pos: 0 }
    }

    fn varint(&mut self) -> Result<u64, SentencePieceError> {
        let start = self.pos;
        let mut value = 0u64;
        for shift in (0..70).step_by(7) {
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err(SentencePieceError::Truncated(start));
            };
            self.pos += 1;
            if shift == 63 && b > 1 {
                return Err(SentencePieceError::BadVarint(start));
            }
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(SentencePieceError::BadVarint(start))
    }

    fn take(&mut self, n: u64, start: usize) -> Result<&'a [u8], SentencePieceError> {
        let end = usize::try_from(n)
            .ok()
            .and_then(|n| self.pos.checked_add(n))
            .filter(|end| *end <= self.bytes.len())
            .ok_or(SentencePieceError::Truncated(start))?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    /// The next field (number and value), or `None` at the end.
    fn field(&mut self) -> Result<Option<(u64, Value<'a>)>, SentencePieceError> {
        if self.pos >= self.bytes.len() {
            return Ok(None);
        }
        let at = self.pos;
        let key = self.varint()?;
        let value = match key & 7 {
            0 => Value::Varint(self.varint()?),
            1 => {
                self.take(8, at)?;
                Value::Fixed
            }
            2 => {
                let len = self.varint()?;
                Value::Bytes(self.take(len, at)?)
            }
            5 => {
                self.take(4, at)?;
                Value::Fixed
            }
            wire => {
                return Err(SentencePieceError::BadWireType {
                    wire: wire as u8,
                    at,
                })
            }
        };
        Ok(Some((key >> 3, value)))
    }
}

/// Piece types (`SentencePiece.Type`) that are not normal text.
const UNKNOWN: u64 = 2;
const CONTROL: u64 = 3;
const USER_DEFINED: u64 = 4;

/// An `int32` id as protobuf stores it: -1 (disabled) is a 10-byte varint.
fn id(v: u64) -> Option<u64> {
    (v < 1 << 31).then_some(v)
}

/// Reads a SentencePiece model from its bytes.
pub fn parse_sentencepiece(bytes: &[u8]) -> Result<SentencePieceModel, SentencePieceError> {
    let mut model = SentencePieceModel {
        model_type: "Unigram",
        unk_id: Some(0),
        bos_id: Some(1),
        eos_id: Some(2),
        pad_id: None,
        ..Default::default()
    };
    let mut wire = Wire::new(bytes);
    while let Some((field, value)) = wire.field()? {
        match (field, value) {
            (1, Value::Bytes(piece)) => {
                let index = model.pieces;
                model.pieces += 1;
                let (text, kind) = read_piece(piece)?;
                if matches!(kind, UNKNOWN | CONTROL | USER_DEFINED) {
                    model
                        .special_pieces
                        .push((String::from_utf8_lossy(text).into_owned(), index));
                }
            }
            (2, Value::Bytes(trainer)) => read_trainer(trainer, &mut model)?,
            _ => {}
        }
    }
    if model.pieces == 0 {
        return Err(SentencePieceError::NoPieces);
    }
    Ok(model)
}

/// A piece's text and type (normal when unset).
fn read_piece(bytes: &[u8]) -> Result<(&[u8], u64), SentencePieceError> {
    let mut wire = Wire::new(bytes);
    let (mut text, mut kind): (&[u8], u64) = (&[], 1);
    while let Some((field, value)) = wire.field()? {
        match (field, value) {
            (1, Value::Bytes(t)) => text = t,
            (3, Value::Varint(k)) => kind = k,
            _ => {}
        }
    }
    Ok((text, kind))
}

/// The trainer spec's model type and special ids.
fn read_trainer(bytes: &[u8], model: &mut SentencePieceModel) -> Result<(), SentencePieceError> {
    let mut wire = Wire::new(bytes);
    while let Some((field, value)) = wire.field()? {
        let Value::Varint(v) = value else { continue };
        match field {
            3 => {
                model.model_type = match v {
                    2 => "BPE",
                    3 => "Word",
                    4 => "Char",
                    _ => "Unigram",
                }
            }
            40 => model.unk_id = id(v),
            41 => model.bos_id = id(v),
            42 => model.eos_id = id(v),
            43 => model.pad_id = id(v),
            _ => {}
        }
    }
    Ok(())
}

/// Writes SentencePiece model bytes (pieces as `(text, type)`, a trainer
/// spec with the model type and bos/eos ids): for tests and fixtures.
pub fn encode_sentencepiece(
    pieces: &[(&str, u64)],
    model_type: u64,
    bos: i32,
    eos: i32,
) -> Vec<u8> {
    fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
    fn bytes_field(out: &mut Vec<u8>, field: u64, body: &[u8]) {
        varint(out, field << 3 | 2);
        varint(out, body.len() as u64);
        out.extend_from_slice(body);
    }
    let mut out = Vec::new();
    for (i, (text, kind)) in pieces.iter().enumerate() {
        let mut piece = Vec::new();
        bytes_field(&mut piece, 1, text.as_bytes());
        varint(&mut piece, 2 << 3 | 5);
        piece.extend_from_slice(&(-(i as f32)).to_le_bytes());
        if *kind != 1 {
            varint(&mut piece, 3 << 3);
            varint(&mut piece, *kind);
        }
        bytes_field(&mut out, 1, &piece);
    }
    let mut trainer = Vec::new();
    varint(&mut trainer, 3 << 3);
    varint(&mut trainer, model_type);
    varint(&mut trainer, 4 << 3);
    varint(&mut trainer, pieces.len() as u64);
    varint(&mut trainer, 41 << 3);
    varint(&mut trainer, i64::from(bos) as u64);
    varint(&mut trainer, 42 << 3);
    varint(&mut trainer, i64::from(eos) as u64);
    bytes_field(&mut out, 2, &trainer);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn llama_like() -> Vec<u8> {
        encode_sentencepiece(
            &[
                ("<unk>", UNKNOWN),
                ("<s>", CONTROL),
                ("</s>", CONTROL),
                ("▁the", 1),
                ("<|im_start|>", USER_DEFINED),
                ("▁a", 1),
            ],
            2,
            1,
            2,
        )
    }

    #[test]
    fn pieces_special_pieces_and_trainer_ids_are_read() {
        let m = parse_sentencepiece(&llama_like()).expect("parses");
        assert_eq!(m.pieces, 6);
        assert_eq!(m.model_type, "BPE");
        assert_eq!(m.special_id("</s>"), Some(2));
        assert_eq!(m.special_id("<|im_start|>"), Some(4));
        assert_eq!(m.special_id("▁the"), None, "normal pieces are not kept");
        assert_eq!(m.special_piece(1), Some("<s>"));
        assert_eq!(
            (m.bos_id, m.eos_id, m.unk_id, m.pad_id),
            (Some(1), Some(2), Some(0), None)
        );
    }

    #[test]
    fn a_disabled_id_is_absent() {
        let bytes = encode_sentencepiece(&[("<pad>", CONTROL), ("</s>", CONTROL)], 1, -1, 1);
        let m = parse_sentencepiece(&bytes).expect("parses");
        assert_eq!(m.model_type, "Unigram");
        assert_eq!(m.bos_id, None);
        assert_eq!(m.eos_id, Some(1));
    }

    #[test]
    fn every_truncation_is_an_error_never_a_panic() {
        let bytes = llama_like();
        for len in 1..bytes.len() {
            // Cut anywhere: either an error, or (cut between pieces) fewer pieces.
            if let Ok(m) = parse_sentencepiece(&bytes[..len]) {
                assert!(m.pieces <= 6);
            }
        }
        assert_eq!(parse_sentencepiece(&[]), Err(SentencePieceError::NoPieces));
    }

    #[test]
    fn text_is_not_a_sentencepiece_model() {
        assert!(parse_sentencepiece(b"IQ== 0\nIg== 1\n").is_err());
        assert!(parse_sentencepiece(b"\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff").is_err());
    }
}

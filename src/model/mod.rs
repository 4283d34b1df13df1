//! Typed views of the small files every model repository carries: config.json,
//! the tokenizer files, generation_config.json and the model card.
//! Pure functions over parsed text; the scan stage reads the files.

pub mod block_configs;
pub mod card;
pub mod config;
pub mod defaults;
pub mod generation;
pub mod mistral;
pub mod plain_vocab;
pub mod recurrent;
pub mod sentencepiece;
pub mod tekken;
pub mod tiktoken;
pub mod tokenizer;

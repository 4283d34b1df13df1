//! Small helpers shared by several stages.

pub mod dir_open;
pub mod fs;
pub mod hub_id;
pub mod human;
pub mod json;
pub mod parallel;
pub mod term;
pub mod textdiff;
pub mod time;

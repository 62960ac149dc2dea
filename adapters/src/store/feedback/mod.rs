//! SQL stores of what customers tell the business: surveys and their answers (shared with SAP),
//! ratings of delivered orders, and questions to support.
mod json;
mod questions;
mod ratings;
pub(crate) mod survey_rows;
mod surveys;

pub use questions::SqlCustomerQuestionRepository;
pub use ratings::SqlRatingRepository;
pub use surveys::SqlSurveyRepository;

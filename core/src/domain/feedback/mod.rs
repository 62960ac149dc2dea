//! What customers tell the business: answers to surveys admins define (shared with SAP), a rating of
//! the service on each delivered order, and questions to support with an admin's answer.
mod answers;
mod question;
mod rating;
mod survey;

pub use answers::{AnswerValue, QuestionAnswer, SubmittedAnswer, SurveyAnswer, SurveyAnswerId};
pub use question::{
    CustomerQuestion, CustomerQuestionId, QUESTION_ANSWER_MAX, QUESTION_TEXT_MAX, QuestionReply, QuestionStatus, parse_question_text,
};
pub use rating::{AreaRating, RATING_COMMENT_MAX, RatingAverage, RatingId, RatingSummary, Score, ServiceRating, WeekRating, parse_comment};
pub use survey::{
    ChoiceOptionId, FREE_TEXT_ANSWER_MAX, QuestionDraft, QuestionKind, SURVEY_OPTION_MAX, SURVEY_OPTIONS_MAX, SURVEY_QUESTION_MAX,
    SURVEY_QUESTIONS_MAX, SURVEY_TITLE_MAX, Survey, SurveyId, SurveyOption, SurveyQuestion, SurveyQuestionId, SurveyWindow,
    build_questions,
};

//! Input problems named by field, with what is wrong and how to fix it; the API renders them as the
//! `fields` of an error body.

/// One field's problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The field as the client spelled it (camelCase JSON name or query parameter).
    pub field: String,
    /// What is wrong, in one short sentence.
    pub problem: String,
    /// How to fix it.
    pub hint: String,
}

/// One or more invalid fields of one request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid input: {}", .0.iter().map(|p| format!("{}: {}", p.field, p.problem)).collect::<Vec<_>>().join("; "))]
pub struct Invalid(pub Vec<FieldProblem>);

impl Invalid {
    /// A single field's problem.
    pub fn field(field: &str, problem: impl Into<String>, hint: impl Into<String>) -> Self {
        Self(vec![FieldProblem { field: field.to_owned(), problem: problem.into(), hint: hint.into() }])
    }

    /// Renames the field of every problem (a value type names itself generically; the caller knows the field).
    #[must_use]
    pub fn at(mut self, field: &str) -> Self {
        for p in &mut self.0 {
            p.field = field.to_owned();
        }
        self
    }
}

/// Collects problems of several fields so one response can name them all.
#[derive(Debug, Default)]
pub struct Problems(Vec<FieldProblem>);

impl Problems {
    /// No problems yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the value when it parsed, records its problems (under `field`) when it did not.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, Invalid>) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.extend(e.at(field).0);
                None
            }
        }
    }

    /// Keeps the value when it parsed, records its problems under the fields they already name.
    pub fn keep<T>(&mut self, parsed: Result<T, Invalid>) -> Option<T> {
        parsed.map_err(|e| self.0.extend(e.0)).ok()
    }

    /// Records one field's problem found by a check that produced no value.
    pub fn add(&mut self, field: &str, problem: impl Into<String>, hint: impl Into<String>) {
        self.0.push(FieldProblem { field: field.to_owned(), problem: problem.into(), hint: hint.into() });
    }

    /// `Ok(())` when nothing was recorded.
    ///
    /// # Errors
    /// `Invalid` listing every recorded problem, in the order recorded.
    pub fn finish(self) -> Result<(), Invalid> {
        if self.0.is_empty() { Ok(()) } else { Err(Invalid(self.0)) }
    }
}

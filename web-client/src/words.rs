//! What the web client itself tells the user (a failed connection, an unreadable answer):
//! English until the app says how to put it in its own language ([`speak`]).

use std::cell::RefCell;

/// A failure the web client reports in words of its own (the server's refusals carry
/// the server's message instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The server was not reached.
    Unreachable,
    /// The server's answer could not be read.
    Unreadable,
    /// The server refused with this status and no message of its own.
    ServerError(u16),
    /// An upload could not begin.
    UploadNotStarted,
    /// An upload broke off.
    UploadInterrupted,
}

type Speaker = Box<dyn Fn(Problem) -> String>;

thread_local! {
    static SPEAKER: RefCell<Option<Speaker>> = const { RefCell::new(None) };
}

/// From now on, problems are put in words by `say` (the app's language); its answer is
/// read each time, so it follows a change of language.
pub fn speak(say: impl Fn(Problem) -> String + 'static) {
    SPEAKER.with(|s| *s.borrow_mut() = Some(Box::new(say)));
}

/// `problem` in the app's words, or in English.
pub fn say(problem: Problem) -> String {
    SPEAKER.with(|s| s.borrow().as_ref().map(|say| say(problem))).unwrap_or_else(|| english(problem))
}

fn english(problem: Problem) -> String {
    match problem {
        Problem::Unreachable => "Cannot reach the server. Check your connection and try again.".into(),
        Problem::Unreadable => "The server sent an answer this page cannot read. Reload the page.".into(),
        Problem::ServerError(status) => format!("The server answered with an error ({status})."),
        Problem::UploadNotStarted => "The upload could not start. Try again.".into(),
        Problem::UploadInterrupted => "The upload was interrupted. Check your connection and try again.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_english_until_the_app_speaks_for_them() {
        assert_eq!(say(Problem::ServerError(502)), "The server answered with an error (502).");
        speak(|p| match p {
            Problem::ServerError(status) => format!("Сервер відповів помилкою ({status})."),
            _ => "Інше".into(),
        });
        assert_eq!(say(Problem::ServerError(502)), "Сервер відповів помилкою (502).");
        assert_eq!(say(Problem::Unreachable), "Інше");
    }
}

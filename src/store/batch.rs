//! Socket frames applied together at the screen's next paint: a burst of client
//! messages redraws the list once per painted frame, not once per message. A hidden
//! page applies each frame at once (it paints nothing, and its alerts must not wait for
//! a paint that does not come).

use el_protocol::events::{Frame, UserEvent};
use leptos::prelude::{document, request_animation_frame, set_timeout};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

/// The longest a frame waits for a paint before it is applied anyway (a window the
/// browser does not paint, say).
const LONGEST_WAIT: Duration = Duration::from_millis(50);

/// Frames received and not yet applied, and what applies them (in order, together).
#[derive(Clone)]
pub struct Batch {
    inner: Rc<Inner>,
}

struct Inner {
    pending: RefCell<Vec<Frame<UserEvent>>>,
    scheduled: Cell<bool>,
    apply: Box<dyn Fn(Vec<Frame<UserEvent>>)>,
}

impl Batch {
    pub fn new(apply: impl Fn(Vec<Frame<UserEvent>>) + 'static) -> Batch {
        Batch {
            inner: Rc::new(Inner {
                pending: RefCell::new(Vec::new()),
                scheduled: Cell::new(false),
                apply: Box::new(apply),
            }),
        }
    }

    /// Takes in a frame, to apply at the next paint (at once on a hidden page).
    pub fn push(&self, frame: Frame<UserEvent>) {
        self.inner.pending.borrow_mut().push(frame);
        if document().hidden() {
            return self.flush();
        }
        if !self.inner.scheduled.replace(true) {
            let (painted, waited) = (self.clone(), self.clone());
            request_animation_frame(move || painted.flush());
            set_timeout(move || waited.flush(), LONGEST_WAIT);
        }
    }

    /// Applies every frame taken in so far.
    pub fn flush(&self) {
        self.inner.scheduled.set(false);
        let frames = std::mem::take(&mut *self.inner.pending.borrow_mut());
        if !frames.is_empty() {
            (self.inner.apply)(frames);
        }
    }
}

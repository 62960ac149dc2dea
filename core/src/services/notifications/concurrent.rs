//! Runs a few futures at once without a runtime of our own (core has no executor dependency): pushes
//! are network calls, and sending them one after another would make a provider's latency the limit of
//! every delivery.
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Polls every future until all are done; the outputs in the order of the futures.
struct JoinAll<F: Future> {
    pending: Vec<Option<Pin<Box<F>>>>,
    outputs: Vec<Option<F::Output>>,
}

// The futures are boxed and the outputs are moved, never pinned: nothing in `JoinAll` relies on staying put.
impl<F: Future> Unpin for JoinAll<F> {}

impl<F: Future> Future for JoinAll<F> {
    type Output = Vec<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut done = true;
        for (slot, output) in this.pending.iter_mut().zip(this.outputs.iter_mut()) {
            if let Some(fut) = slot {
                match fut.as_mut().poll(cx) {
                    Poll::Ready(value) => {
                        *output = Some(value);
                        *slot = None;
                    }
                    Poll::Pending => done = false,
                }
            }
        }
        if done { Poll::Ready(this.outputs.iter_mut().filter_map(Option::take).collect()) } else { Poll::Pending }
    }
}

/// Awaits all the futures together; their outputs in order.
pub(super) async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let outputs = futures.iter().map(|_| None).collect();
    JoinAll { pending: futures.into_iter().map(|f| Some(Box::pin(f))).collect(), outputs }.await
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Pending once, then ready: counts how many were started before any finished.
    struct YieldOnce {
        yielded: bool,
    }

    impl Future for YieldOnce {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.yielded {
                Poll::Ready(())
            } else {
                self.yielded = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }

    #[tokio::test]
    async fn all_futures_run_together_and_keep_their_order() {
        let started = Arc::new(AtomicUsize::new(0));
        let seen_at_finish = Arc::new(AtomicUsize::new(usize::MAX));
        let futures: Vec<_> = (0..5)
            .map(|i| {
                let (started, seen) = (started.clone(), seen_at_finish.clone());
                async move {
                    started.fetch_add(1, Ordering::SeqCst);
                    YieldOnce { yielded: false }.await;
                    seen.fetch_min(started.load(Ordering::SeqCst), Ordering::SeqCst);
                    i * 10
                }
            })
            .collect();
        assert_eq!(join_all(futures).await, vec![0, 10, 20, 30, 40]);
        assert_eq!(seen_at_finish.load(Ordering::SeqCst), 5, "every future started before the first finished");
    }
}

//! hyperbits as a static library for C: the `hb_*` functions of `hyperbits::capi`.
#![no_std]

pub use hyperbits::capi::*;

/// A panic must not unwind into C. The API checks its inputs, so this is unreachable on bad
/// input; if it is reached anyway, stop here (a hosted build aborts the process).
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    #[cfg(not(target_os = "none"))]
    {
        extern "C" {
            fn abort() -> !;
        }
        // SAFETY: C's abort() takes no arguments and never returns.
        unsafe { abort() }
    }
    #[cfg(target_os = "none")]
    loop {
        core::hint::spin_loop();
    }
}

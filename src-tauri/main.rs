// Keeps a console window from opening next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    keep_large_blocks_out_of_the_heap();
    cyberbara_studio::run();
}

/// glibc serves a block of 128 KiB or more with its own mapping, but each time such a block
/// is freed it raises that threshold to the block's size (up to 32 MiB). After one picture's
/// decode buffer, the Gallery's list replies (1.5 MB for 10,000 items) and the next decode
/// buffers come from the per-thread arenas, which give memory back to the system only from
/// their top: in a 30-minute soak the app's own heap kept growing (33 → 49 MB) where with the
/// threshold fixed it held at 23–26 MB (docs/BENCHMARKS.md, "Memory"). Setting the threshold
/// turns the adjustment off; 128 KiB is glibc's own starting value. It applies to this
/// process only; WebKit's processes keep their defaults.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_large_blocks_out_of_the_heap() {
    // SAFETY: mallopt only changes the allocator's parameters, and runs before the app starts
    // any thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

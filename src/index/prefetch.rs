//! Reading a tree that is not in memory (a cold page cache: after a reboot,
//! a fresh runner, a tree larger than memory): the parsers read one page
//! each at a time and wait for the disk in turn, so the disk sees two
//! requests at once on two cores. Here the pages are asked for ahead of
//! them, many at a time (`posix_fadvise(WILLNEED)` starts the reads and
//! returns), in the order the parsers will take them.
//!
//! Only when a sample of pages shows they are not in memory
//! (`preadv2(RWF_NOWAIT)` fails with `EAGAIN` rather than wait; it starts
//! reading that page meanwhile, which does no harm): on a warm
//! tree the extra opens would cost time for nothing. Linux only; elsewhere
//! nothing is prefetched.

use super::RootDir;
use std::sync::atomic::{AtomicBool, AtomicUsize};

/// The prefetchers' place in the list, and whether the parsers are done.
#[derive(Default)]
pub(super) struct Queue {
    next: AtomicUsize,
    pub(super) done: AtomicBool,
}

/// How many pages are probed, evenly spread over the list.
#[cfg(target_os = "linux")]
const PROBES: usize = 16;

/// How many threads ask for pages: each mostly waits on the disk (an open
/// of a page whose inode is not in memory reads it first).
#[cfg(target_os = "linux")]
const THREADS: usize = 8;

/// Whether most of a sample of the pages are not in memory.
#[cfg(target_os = "linux")]
pub(super) fn is_cold(root: &RootDir, files: &[String], pages: &[u32]) -> bool {
    use rustix::io::{Errno, ReadWriteFlags};
    let Some(fd) = &root.fd else {
        return false;
    };
    if pages.len() < 2 * PROBES {
        return false; // a small tree reads fast either way
    }
    let mut cold = 0;
    for i in 0..PROBES {
        let path = &files[pages[i * pages.len() / PROBES] as usize];
        let flags = rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::CLOEXEC;
        let Ok(file) = rustix::fs::openat(fd, path.as_str(), flags, rustix::fs::Mode::empty())
        else {
            continue;
        };
        let mut byte = [0u8; 1];
        let mut bufs = [std::io::IoSliceMut::new(&mut byte)];
        match rustix::io::preadv2(&file, &mut bufs, 0, ReadWriteFlags::NOWAIT) {
            Err(Errno::AGAIN) => cold += 1,
            // No RWF_NOWAIT here (an old kernel, some file systems): say warm.
            Err(_) => return false,
            Ok(_) => {}
        }
    }
    cold * 2 >= PROBES
}

#[cfg(not(target_os = "linux"))]
pub(super) fn is_cold(_: &RootDir, _: &[String], _: &[u32]) -> bool {
    false
}

/// Ask for every page, in the order rayon's threads take them (each thread
/// starts at its share of the list: fronts at 0, n/k, 2n/k...), until
/// the queue says the parsers are done.
#[cfg(target_os = "linux")]
pub(super) fn start<'s>(
    scope: &'s std::thread::Scope<'s, '_>,
    root: &'s RootDir,
    files: &'s [String],
    pages: &'s [u32],
    queue: &'s Queue,
) {
    use std::sync::atomic::Ordering::Relaxed;
    let Some(fd) = &root.fd else {
        return;
    };
    let fronts = rayon::current_num_threads().max(1);
    let share = pages.len().div_ceil(fronts);
    // The i-th page asked for: page `i / fronts` of front `i % fronts`.
    let order = move |i: usize| (i % fronts) * share + i / fronts;
    for _ in 0..THREADS {
        scope.spawn(move || {
            loop {
                if queue.done.load(Relaxed) {
                    return;
                }
                let i = queue.next.fetch_add(1, Relaxed);
                if i >= share * fronts {
                    return;
                }
                let Some(&file) = pages.get(order(i)) else {
                    continue;
                };
                let flags = rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::CLOEXEC;
                let path = files[file as usize].as_str();
                if let Ok(f) = rustix::fs::openat(fd, path, flags, rustix::fs::Mode::empty()) {
                    let _ = rustix::fs::fadvise(&f, 0, None, rustix::fs::Advice::WillNeed);
                }
            }
        });
    }
}

#[cfg(not(target_os = "linux"))]
pub(super) fn start<'s>(
    _: &'s std::thread::Scope<'s, '_>,
    _: &'s RootDir,
    _: &'s [String],
    _: &'s [u32],
    _: &'s Queue,
) {
}

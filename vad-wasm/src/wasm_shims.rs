//! C runtime symbols libfvad needs on wasm32 (`malloc`, `free`, `__assert_fail`), backed by
//! Rust's allocator so the module imports nothing a browser or Worker lacks.
#![allow(unsafe_code)]

use std::alloc::{Layout, alloc, dealloc};

/// Header in front of every block: the total size, so `free` can rebuild the layout.
const HEADER: usize = 16;
const ALIGN: usize = 16;

/// C `malloc`: 16-byte aligned block or null.
#[unsafe(no_mangle)]
pub extern "C" fn malloc(size: usize) -> *mut u8 {
    let Some(total) = size.checked_add(HEADER) else {
        return std::ptr::null_mut();
    };
    let Ok(layout) = Layout::from_size_align(total, ALIGN) else {
        return std::ptr::null_mut();
    };
    // SAFETY: `layout` has non-zero size (at least HEADER bytes).
    let base = unsafe { alloc(layout) };
    if base.is_null() {
        return base;
    }
    // SAFETY: `base` points to at least HEADER writable bytes, aligned for usize.
    unsafe {
        base.cast::<usize>().write(total);
        base.add(HEADER)
    }
}

/// C `free`: releases a block from [`malloc`]; null is ignored.
#[unsafe(no_mangle)]
pub extern "C" fn free(ptr: *mut u8) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: `ptr` came from `malloc`, so HEADER bytes before it hold the block size and the
    // block was allocated with exactly this layout.
    unsafe {
        let base = ptr.sub(HEADER);
        let total = base.cast::<usize>().read();
        dealloc(base, Layout::from_size_align_unchecked(total, ALIGN));
    }
}

/// C `__assert_fail`: libfvad asserts on impossible states; trap like `abort()`.
#[unsafe(no_mangle)]
pub extern "C" fn __assert_fail(
    _expr: *const u8,
    _file: *const u8,
    _line: u32,
    _func: *const u8,
) -> ! {
    std::process::abort()
}

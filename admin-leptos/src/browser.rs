//! The few browser facts the pages need: the local UTC offset and a confirmation dialog.

/// Minutes east of UTC of the browser's time zone (Brasília: -180).
pub fn utc_offset_min() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

/// `window.confirm(message)`; false when there is no window.
pub fn confirm(message: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(message).ok())
        .unwrap_or(false)
}

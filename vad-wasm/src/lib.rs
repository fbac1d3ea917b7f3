//! The audio front end.

//! Not built out yet (issue 6): the admin app.

//! Not built out yet (issue 6): the Leptos admin app. This placeholder compiles so the workspace
//! has its final shape; it renders nothing (see README.md).

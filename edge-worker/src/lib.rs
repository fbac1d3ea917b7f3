//! Not built out yet (issue 5): the Cloudflare Worker. This placeholder compiles so the workspace
//! has its final shape; it serves nothing (see README.md).

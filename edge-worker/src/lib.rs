//! Not built out yet (issue 5): the edge worker.

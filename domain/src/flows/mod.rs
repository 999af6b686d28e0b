//! What the client actor does for each command: load what it needs, ask `model` what happens,
//! write the outcome in one transaction through `store`, and give back the client's new state.
//! Each flow takes the current state and returns the next one; nothing changes on an error.

pub mod sign_up;

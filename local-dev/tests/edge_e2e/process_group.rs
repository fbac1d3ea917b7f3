//! Children of the Worker's end-to-end tests, each in a process group of its own and ended as a
//! whole: `wrangler dev` starts workerd and esbuild, which outlive it when only its first process
//! is killed (and a spinning workerd may ignore SIGTERM). [`Group::stop`] (and dropping a
//! [`Group`], on a panic) sends a signal to the whole group, waits, then SIGKILLs what is left.
//! [`processes_referring_to`] reads /proc to find anything a test left behind.

use nix::sys::signal::{SigHandler, Signal, killpg};
use nix::unistd::Pid;
use std::path::Path;
use std::process::ExitStatus;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// Time between the first signal and SIGKILL. The scripts give their own groups 5-10 s (see
/// scripts/lib/process-group.sh), so a script asked to stop has the time to stop what it started.
pub const GRACE: Duration = Duration::from_secs(30);

/// A child process leading a process group of its own.
pub struct Group {
    name: &'static str,
    child: Option<Child>,
    pgid: Pid,
}

/// How a [`Group`] ended.
#[derive(Debug)]
pub struct Stopped {
    /// The leader's exit status, if it was collected.
    pub status: Option<ExitStatus>,
    /// Whether SIGKILL was needed (something outlived the grace period).
    pub killed: bool,
}

impl Group {
    /// Spawns `cmd` as the leader of a new process group, with SIGINT and SIGQUIT at their
    /// default disposition, as in a user's terminal: a test run from a non-interactive
    /// background job (as CI may start it) inherits both ignored, and bash cannot trap a signal
    /// ignored on entry, so Ctrl-C would never reach the scripts' clean-up.
    pub fn spawn(mut cmd: Command, name: &'static str) -> std::io::Result<Self> {
        cmd.process_group(0);
        // SAFETY: between fork and exec the closure only calls signal(2), which is
        // async-signal-safe, and allocates nothing.
        #[allow(unsafe_code)]
        unsafe {
            cmd.pre_exec(|| {
                for s in [Signal::SIGINT, Signal::SIGQUIT] {
                    nix::sys::signal::signal(s, SigHandler::SigDfl)
                        .map_err(std::io::Error::from)?;
                }
                Ok(())
            });
        }
        let child = cmd.spawn()?;
        let pid = child
            .id()
            .ok_or_else(|| std::io::Error::other("the child has no pid"))?;
        let pgid = Pid::from_raw(i32::try_from(pid).map_err(std::io::Error::other)?);
        Ok(Self {
            name,
            child: Some(child),
            pgid,
        })
    }

    /// The leader (to take its pipes).
    pub fn child_mut(&mut self) -> &mut Child {
        self.child.as_mut().expect("a running group")
    }

    /// Sends `first` to the whole group, waits up to [`GRACE`] for every member to end, then
    /// SIGKILLs the group.
    pub async fn stop(mut self, first: Signal) -> Stopped {
        let mut child = self.child.take().expect("a running group");
        let _ = killpg(self.pgid, first);
        let deadline = Instant::now() + GRACE;
        let mut status = None;
        while Instant::now() < deadline {
            if status.is_none() {
                status = child.try_wait().ok().flatten();
            }
            if status.is_some() && !group_alive(self.pgid) {
                return Stopped {
                    status,
                    killed: false,
                };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        eprintln!(
            "[{}] still running {GRACE:?} after {first}: SIGKILL to its group",
            self.name
        );
        let _ = killpg(self.pgid, Signal::SIGKILL);
        if status.is_none() {
            status = tokio::time::timeout(Duration::from_secs(5), child.wait())
                .await
                .ok()
                .and_then(Result::ok);
        }
        Stopped {
            status,
            killed: true,
        }
    }
}

impl Drop for Group {
    /// A test that panics still ends its processes: SIGTERM, then SIGKILL after the grace.
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = killpg(self.pgid, Signal::SIGTERM);
        let deadline = Instant::now() + GRACE;
        loop {
            let _ = child.try_wait();
            if !group_alive(self.pgid) {
                return;
            }
            if Instant::now() >= deadline {
                let _ = killpg(self.pgid, Signal::SIGKILL);
                let _ = child.start_kill();
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// One /proc entry: pid, state letter, process group.
fn proc_stat(pid_dir: &Path) -> Option<(char, i32)> {
    let stat = std::fs::read_to_string(pid_dir.join("stat")).ok()?;
    // "pid (comm) state ppid pgrp ..."; the command name may hold spaces and parentheses.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split(' ');
    let state = fields.next()?.chars().next()?;
    let _ppid = fields.next()?;
    let pgrp = fields.next()?.parse().ok()?;
    Some((state, pgrp))
}

fn proc_pids() -> impl Iterator<Item = (u32, std::path::PathBuf)> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let pid = e.file_name().to_str()?.parse::<u32>().ok()?;
            Some((pid, e.path()))
        })
}

/// Whether any process of group `pgid` is still running (zombies aside).
fn group_alive(pgid: Pid) -> bool {
    proc_pids().any(|(_, dir)| {
        proc_stat(&dir).is_some_and(|(state, pgrp)| pgrp == pgid.as_raw() && state != 'Z')
    })
}

/// Running processes (zombies aside, this one excluded) whose command line, working directory or
/// environment mention `needle`, as "pid name: command line".
pub fn processes_referring_to(needle: &Path) -> Vec<String> {
    let needle = needle.to_string_lossy().into_owned();
    let contains = |bytes: &[u8]| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    proc_pids()
        .filter(|(pid, _)| *pid != std::process::id())
        .filter(|(_, dir)| proc_stat(dir).is_some_and(|(state, _)| state != 'Z'))
        .filter_map(|(pid, dir)| {
            let cmdline = std::fs::read(dir.join("cmdline")).unwrap_or_default();
            let environ = std::fs::read(dir.join("environ")).unwrap_or_default();
            let cwd = std::fs::read_link(dir.join("cwd")).unwrap_or_default();
            let refers = contains(&cmdline)
                || contains(&environ)
                || cwd.to_string_lossy().contains(needle.as_str());
            refers.then(|| {
                let name = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
                let args = String::from_utf8_lossy(&cmdline).replace('\0', " ");
                format!("{pid} {}: {args}", name.trim())
            })
        })
        .collect()
}

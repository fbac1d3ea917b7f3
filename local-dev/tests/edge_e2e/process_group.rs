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
    proc_stat_with_parent(pid_dir).map(|(state, _, pgrp)| (state, pgrp))
}

/// One /proc entry: state letter, parent pid, process group.
fn proc_stat_with_parent(pid_dir: &Path) -> Option<(char, u32, i32)> {
    let stat = std::fs::read_to_string(pid_dir.join("stat")).ok()?;
    // "pid (comm) state ppid pgrp ..."; the command name may hold spaces and parentheses.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split(' ');
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    let pgrp = fields.next()?.parse().ok()?;
    Some((state, ppid, pgrp))
}

/// Orphans working in `root`: running processes adopted by init (their parent gone) whose
/// working directory is `root` or below, as "pid name: command line". A script that lost track of
/// a child leaves one (a `bash` from a command block, a `node` of wrangler's); compare the set
/// before and after a test.
pub fn orphans_working_in(root: &Path) -> std::collections::BTreeMap<u32, String> {
    working_in(root)
        .into_iter()
        .filter(|(_, (ppid, _))| *ppid == 1)
        .map(|(pid, (_, line))| (pid, line))
        .collect()
}

/// Running processes (this one excluded) whose working directory is `root` or below: pid →
/// (parent pid, "pid name: command line").
fn working_in(root: &Path) -> std::collections::BTreeMap<u32, (u32, String)> {
    proc_pids()
        .filter(|(pid, _)| *pid != std::process::id())
        .filter_map(|(pid, dir)| {
            let (state, ppid, _) = proc_stat_with_parent(&dir)?;
            let cwd = std::fs::read_link(dir.join("cwd")).ok()?;
            (state != 'Z' && cwd.starts_with(root)).then_some((pid, ppid, dir))
        })
        .map(|(pid, ppid, dir)| {
            let name = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
            let cmdline = std::fs::read(dir.join("cmdline")).unwrap_or_default();
            let args = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            (pid, (ppid, format!("{pid} {}: {args}", name.trim())))
        })
        .collect()
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

#[test]
fn an_orphan_in_a_directory_is_found_and_others_are_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(orphans_working_in(dir.path()).is_empty());
    // `sh` starts `sleep` in the background and exits: the sleep loses its parent.
    let status = std::process::Command::new("sh")
        .args(["-c", "sleep 30 >/dev/null 2>&1 &"])
        .current_dir(dir.path())
        .status()
        .expect("sh runs");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(5);
    let all = loop {
        let all = working_in(dir.path());
        if !all.is_empty() || Instant::now() >= deadline {
            break all;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let orphans = orphans_working_in(dir.path());
    for pid in all.keys() {
        let _ = nix::sys::signal::kill(Pid::from_raw(*pid as i32), Signal::SIGKILL);
    }
    assert_eq!(all.len(), 1, "the sleep works in the directory: {all:?}");
    let (pid, (ppid, line)) = all.into_iter().next().expect("one");
    assert!(line.contains("sleep"), "{line}");
    // Adopted by init it is an orphan to the check; a system with a sub-reaper (some
    // containers) adopts it elsewhere, where this check cannot tell it from a live child.
    assert_eq!(orphans.contains_key(&pid), ppid == 1, "{orphans:?}");
    assert!(orphans_working_in(Path::new("/nonexistent-balto")).is_empty());
}

//! The one module of the crate that holds `unsafe` code: creating the child process and what
//! it does before `exec`, `pidfd_open`, and registering a pidfd with tokio.
//!
//! Everything else in the crate uses safe wrappers (std, nix, tokio). Each `unsafe` block
//! below says why it is sound.
//!
//! # Why not `fork`
//!
//! `std::process::Command` with a `pre_exec` hook (needed for the user switch and the nice
//! value) uses `fork`, which copies the daemon's page tables and then makes every page the
//! daemon writes fault once (copy-on-write) while the child has not yet called `exec`. In a
//! busy multi-threaded daemon that made a start about three times as expensive as
//! `posix_spawn` (see `examples/spawn_bench.rs`). So the child is made the way glibc's and
//! musl's `posix_spawn` make it: `clone(CLONE_VM | CLONE_VFORK)`. The child runs on its own
//! small stack in the daemon's memory while the calling thread waits; it only makes system
//! calls, writes nothing but its error slot, and ends in `execve` or `_exit`, after which
//! the calling thread resumes.
//!
//! Rules for code running in that child, all kept in [`child_main`]:
//! - no allocation, no locks, no panics (nothing that could unwind or reach Rust's runtime),
//!   no thread-local storage other than glibc's `errno` (the calling thread's, unused while
//!   it waits);
//! - credentials are changed with raw system calls, never glibc's `setuid`/`setgid`/
//!   `setgroups`: those broadcast the change to every thread of the *daemon* (POSIX
//!   process-wide credentials), which in a `CLONE_VM` child would reach the daemon's threads;
//! - every signal is blocked before `clone` (the child shares the daemon's memory, so a
//!   daemon signal handler must never run in it); the child sets every disposition back to
//!   the default and only then clears its mask.
#![allow(unsafe_code)]

use std::cell::RefCell;
use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::ptr;
use std::sync::atomic::{AtomicI32, Ordering};

use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

// The raw system calls below assume 64-bit Linux with 64 signals: 32-bit ids for the
// credential calls (on 32-bit targets those are the `*32` variants) and an 8-byte kernel
// signal set (MIPS has 128 signals). These are the targets that hold for.
#[cfg(not(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64", target_arch = "riscv64")
)))]
compile_error!("sked-runner supports Linux on x86_64, aarch64 and riscv64");

/// The step of the child's set-up that failed, carried back to the parent with its errno.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    /// `execve` itself: the program could not be run.
    Exec,
    /// `setpgid`: the new process group.
    ProcessGroup,
    /// `setpriority`: the nice value.
    Priority,
    /// `dup2` of standard input, output or error.
    Stdio,
    /// `setgid`.
    SetGid,
    /// `setgroups`: the user's supplementary groups.
    SetGroups,
    /// `setuid`.
    SetUid,
    /// The check that the ids really changed.
    VerifyIds,
    /// `chdir` to the working directory.
    Chdir,
}

impl Stage {
    const ALL: [Stage; 9] = [
        Stage::Exec,
        Stage::ProcessGroup,
        Stage::Priority,
        Stage::Stdio,
        Stage::SetGid,
        Stage::SetGroups,
        Stage::SetUid,
        Stage::VerifyIds,
        Stage::Chdir,
    ];
}

/// The child's error slot holds `(stage + 1) << 16 | errno`, or 0 when it reached `exec`.
/// Errno values are below 4096 on Linux.
const STAGE_SHIFT: u32 = 16;

fn encode(stage: Stage, errno: c_int) -> i32 {
    ((stage as i32 + 1) << STAGE_SHIFT) | (errno & 0xffff)
}

fn decode(code: i32) -> (Stage, io::Error) {
    let stage = Stage::ALL.get(((code >> STAGE_SHIFT) - 1) as usize).copied().unwrap_or(Stage::Exec);
    (stage, io::Error::from_raw_os_error(code & 0xffff))
}

/// The user the child switches to. All of it is looked up in the daemon beforehand: the
/// passwd and group databases go through NSS, which allocates and takes locks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Switch {
    pub uid: libc::uid_t,
    pub gid: libc::gid_t,
    /// The supplementary groups, as `initgroups` would compute them (`getgrouplist`).
    pub groups: Vec<libc::gid_t>,
}

/// A NULL-terminated array of C strings, for `execve`'s `argv` and `envp`.
pub(crate) struct CStringArray {
    _strings: Vec<CString>,
    ptrs: Vec<*const c_char>,
}

impl CStringArray {
    pub(crate) fn new(strings: Vec<CString>) -> Self {
        let mut ptrs: Vec<*const c_char> = strings.iter().map(|s| s.as_ptr()).collect();
        ptrs.push(ptr::null());
        // The pointers stay valid: moving a Vec<CString> moves no string data.
        CStringArray { _strings: strings, ptrs }
    }

    fn as_ptr(&self) -> *const *const c_char {
        self.ptrs.as_ptr()
    }
}

/// Everything the child needs, prepared by the daemon.
pub(crate) struct Exec<'a> {
    /// The program's path, as `execve` takes it.
    pub program: &'a CStr,
    pub argv: &'a CStringArray,
    pub envp: &'a CStringArray,
    /// Becomes the child's standard input. Must be 3 or above.
    pub stdin: BorrowedFd<'a>,
    /// Becomes the child's standard output and error. Must be 3 or above.
    pub output: BorrowedFd<'a>,
    pub nice: Option<i32>,
    pub switch: Option<&'a Switch>,
    pub cwd: &'a CStr,
}

/// What the child reads (the request) and writes (its error slot).
struct ChildArgs<'a> {
    exec: &'a Exec<'a>,
    error: AtomicI32,
}

/// Starts the child described by `exec` and returns its pid once it has called `execve`
/// successfully. The child, in this order (each step needs the privileges the previous ones
/// still have):
///
/// 1. `setpgid(0, 0)`: a new process group led by the child, so that a stop reaches the
///    whole tree. Not `setsid()`: with `CONFIG_SCHED_AUTOGROUP` (on by default in most
///    distributions) every new session gets its own scheduler group, inside which alone nice
///    values count, so a task's priority would no longer weigh against other processes;
/// 2. `setpriority()`: while still root, so a negative nice value is allowed;
/// 3. every signal back to its default disposition;
/// 4. `dup2` of standard input, output and error;
/// 5. `setgid`, `setgroups`, `setuid`, then a check with `getresuid`/`getresgid` that the
///    real, effective and saved ids all changed: a failed switch fails the start and never
///    runs the program as root;
/// 6. `chdir()`, as the task's user, so a directory the user may not enter is refused;
/// 7. an empty signal mask, then `execve`.
///
/// On failure, returns the stage that failed and the OS error; the failed child is reaped.
pub(crate) fn spawn(exec: &Exec<'_>) -> Result<u32, SpawnError> {
    if exec.stdin.as_raw_fd() < 3 || exec.output.as_raw_fd() < 3 {
        return Err(SpawnError::Parent(io::Error::from_raw_os_error(libc::EBADF)));
    }
    let args = ChildArgs { exec, error: AtomicI32::new(0) };
    STACK.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            *cell = Some(ChildStack::new().map_err(SpawnError::Parent)?);
        }
        let stack = cell.as_ref().expect("just set");

        let mut all = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
        let mut old = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
        // SAFETY: `sigfillset` initialises the set it is given.
        unsafe { libc::sigfillset(all.as_mut_ptr()) };
        // SAFETY: the raw system call blocks every signal, glibc's internal ones included
        // (the libc wrapper would leave those), in the calling thread; both pointers are to
        // live sigsets, of which the kernel reads and writes the first 8 bytes.
        let blocked = unsafe {
            libc::syscall(libc::SYS_rt_sigprocmask, libc::SIG_SETMASK, all.as_ptr(), old.as_mut_ptr(), 8)
        };
        if blocked != 0 {
            return Err(SpawnError::Parent(io::Error::last_os_error()));
        }
        // SAFETY: `child_main` follows the rules in the module docs; `stack.top()` is the top
        // of a mapping of `ChildStack::SIZE` bytes that only this thread uses, and this thread
        // is suspended (CLONE_VFORK) for as long as the child runs on it; `args` outlives the
        // call for the same reason. SIGCHLD is the child's exit signal, as for `fork`.
        // Deliberately not shared: the descriptor table (CLONE_FILES), the working directory
        // (CLONE_FS) and the signal dispositions (CLONE_SIGHAND), so the child's `dup2`,
        // `chdir` and signal resets change only the child.
        let pid = unsafe {
            libc::clone(
                child_main,
                stack.top(),
                libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
                ptr::from_ref(&args).cast_mut().cast(),
            )
        };
        let clone_error = io::Error::last_os_error();
        // SAFETY: restores the mask saved above, which the kernel initialised.
        unsafe {
            libc::syscall(
                libc::SYS_rt_sigprocmask,
                libc::SIG_SETMASK,
                old.as_ptr(),
                ptr::null_mut::<c_void>(),
                8,
            )
        };
        if pid == -1 {
            return Err(SpawnError::Parent(clone_error));
        }
        // The child has called `execve` or `_exit` (CLONE_VFORK): its write, if any, is done.
        let code = args.error.load(Ordering::SeqCst);
        if code != 0 {
            let _ = nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(pid), None);
            let (stage, err) = decode(code);
            return Err(SpawnError::Child(stage, err));
        }
        Ok(pid as u32)
    })
}

/// Why [`spawn`] failed.
#[derive(Debug)]
pub(crate) enum SpawnError {
    /// The daemon could not create the child (`clone`, the child's stack, bad descriptors).
    Parent(io::Error),
    /// The child failed at this stage.
    Child(Stage, io::Error),
}

/// Runs in the child. See the module docs for what it may and may not do.
extern "C" fn child_main(arg: *mut c_void) -> c_int {
    // SAFETY: `arg` is the `ChildArgs` the parent passed to `clone`, alive while the parent
    // waits; the child only reads it, except for the atomic error slot.
    let args = unsafe { &*arg.cast::<ChildArgs<'_>>() };
    let exec = args.exec;
    let fail = |stage: Stage| -> c_int {
        // SAFETY: reads errno, the calling thread's, which this child alone uses meanwhile.
        let errno = unsafe { *libc::__errno_location() };
        args.error.store(encode(stage, errno), Ordering::SeqCst);
        // SAFETY: `_exit` ends the child at once (exit_group), running no atexit handlers,
        // which would otherwise run on the daemon's memory.
        unsafe { libc::_exit(127) }
    };

    // SAFETY (for every call in this block): each is a thin glibc wrapper around one system
    // call or a raw `syscall`, acting on the child only, with integer arguments or pointers
    // into `exec` and locals that are live for the call.
    unsafe {
        if libc::setpgid(0, 0) == -1 {
            return fail(Stage::ProcessGroup);
        }
        if let Some(nice) = exec.nice
            && libc::setpriority(libc::PRIO_PROCESS, 0, nice) == -1
        {
            return fail(Stage::Priority);
        }
        // Signals 1 to 64, through the raw system call: glibc's `sigaction` refuses its two
        // internal signals (32, 33), and those can arrive ignored (glibc's own `posix_spawn`
        // leaves them SIG_IGN in the programs it starts, and an ignored signal survives
        // `execve`). A zeroed kernel `struct sigaction` is SIG_DFL with no flags and an empty
        // mask on every 64-bit Linux layout (with or without `sa_restorer`).
        let dfl = [0u64; 4];
        for sig in 1..65 {
            if sig != libc::SIGKILL && sig != libc::SIGSTOP {
                libc::syscall(libc::SYS_rt_sigaction, sig, dfl.as_ptr(), ptr::null_mut::<c_void>(), 8);
            }
        }
        let (stdin, output) = (exec.stdin.as_raw_fd(), exec.output.as_raw_fd());
        if libc::dup2(stdin, 0) == -1 || libc::dup2(output, 1) == -1 || libc::dup2(output, 2) == -1 {
            return fail(Stage::Stdio);
        }
        if let Some(sw) = exec.switch {
            if libc::syscall(libc::SYS_setgid, sw.gid) == -1 {
                return fail(Stage::SetGid);
            }
            if libc::syscall(libc::SYS_setgroups, sw.groups.len(), sw.groups.as_ptr()) == -1 {
                return fail(Stage::SetGroups);
            }
            if libc::syscall(libc::SYS_setuid, sw.uid) == -1 {
                return fail(Stage::SetUid);
            }
            let (mut r, mut e, mut s): (libc::uid_t, libc::uid_t, libc::uid_t) = (0, 0, 0);
            let (mut rg, mut eg, mut sg): (libc::gid_t, libc::gid_t, libc::gid_t) = (0, 0, 0);
            let ok = libc::syscall(libc::SYS_getresuid, &mut r, &mut e, &mut s) == 0
                && libc::syscall(libc::SYS_getresgid, &mut rg, &mut eg, &mut sg) == 0
                && r == sw.uid
                && e == sw.uid
                && s == sw.uid
                && rg == sw.gid
                && eg == sw.gid
                && sg == sw.gid;
            if !ok {
                *libc::__errno_location() = libc::EPERM;
                return fail(Stage::VerifyIds);
            }
        }
        if libc::chdir(exec.cwd.as_ptr()) == -1 {
            return fail(Stage::Chdir);
        }
        let mut none = std::mem::MaybeUninit::<libc::sigset_t>::uninit();
        libc::sigemptyset(none.as_mut_ptr());
        libc::syscall(
            libc::SYS_rt_sigprocmask,
            libc::SIG_SETMASK,
            none.as_ptr(),
            ptr::null_mut::<c_void>(),
            8,
        );
        libc::execve(exec.program.as_ptr(), exec.argv.as_ptr(), exec.envp.as_ptr());
    }
    fail(Stage::Exec)
}

thread_local! {
    /// One child stack per thread that starts runs, reused: the thread is suspended while a
    /// child uses it, so two children never share it.
    static STACK: RefCell<Option<ChildStack>> = const { RefCell::new(None) };
}

/// The stack the child runs on before `execve`, with an inaccessible guard page below it so
/// an overflow faults instead of writing over the daemon's memory.
struct ChildStack {
    base: *mut c_void,
    len: usize,
}

impl ChildStack {
    /// Far more than the child needs: its frame, and glibc's `sigaction` and `execve`.
    const SIZE: usize = 64 * 1024;
    const GUARD: usize = 4096;

    fn new() -> io::Result<Self> {
        let len = Self::SIZE + Self::GUARD;
        // SAFETY: an anonymous private mapping at an address of the kernel's choosing; no
        // existing memory is affected.
        let base = unsafe {
            libc::mmap(
                ptr::null_mut(),
                len,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let stack = ChildStack { base, len };
        // SAFETY: the range lies inside the mapping just made; the lowest page stays PROT_NONE.
        let usable = unsafe { base.cast::<u8>().add(Self::GUARD).cast::<c_void>() };
        // SAFETY: as above.
        if unsafe { libc::mprotect(usable, Self::SIZE, libc::PROT_READ | libc::PROT_WRITE) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(stack)
    }

    /// The top of the stack (stacks grow down on every 64-bit Linux target), 16-byte aligned.
    fn top(&self) -> *mut c_void {
        // SAFETY: one past the end of the mapping, which is `len` bytes long; page-aligned.
        unsafe { self.base.cast::<u8>().add(self.len).cast() }
    }
}

impl Drop for ChildStack {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the mapping made in `new`, which no child uses any more (a
        // thread only drops its stack when it ends, never while it is suspended in `clone`).
        unsafe { libc::munmap(self.base, self.len) };
    }
}

/// Registers a pidfd with the tokio reactor, for readability (the process has exited).
pub(crate) fn watch_pidfd(pidfd: OwnedFd) -> io::Result<AsyncFd<OwnedFd>> {
    // SAFETY: an `OwnedFd` owns its descriptor: it stays open and refers to the same
    // description until the `OwnedFd`, and so the `AsyncFd`, is dropped, and `as_raw_fd`
    // always returns that same descriptor.
    unsafe { AsyncFd::register_with_interest(pidfd, Interest::READABLE) }.map_err(|e| e.into_parts().1)
}

/// Opens a pidfd for `pid` (Linux 5.3 and later). The pidfd becomes readable when the
/// process exits, which lets one task wait for one child without `SIGCHLD`.
pub(crate) fn pidfd_open(pid: u32) -> io::Result<OwnedFd> {
    let pid = libc::pid_t::try_from(pid).map_err(|_| io::Error::from_raw_os_error(libc::ESRCH))?;
    // SAFETY: pidfd_open takes a pid and flags (none; the fd is always close-on-exec) and
    // returns a new file descriptor or -1; no memory is passed.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    let fd = c_int::try_from(fd).map_err(|_| io::Error::from_raw_os_error(libc::EBADF))?;
    // SAFETY: `fd` was just returned by the kernel, is open, and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_and_errno_round_trip_through_the_error_slot() {
        for stage in Stage::ALL {
            let (back, err) = decode(encode(stage, libc::EACCES));
            assert_eq!(back, stage);
            assert_eq!(err.raw_os_error(), Some(libc::EACCES));
        }
    }
}

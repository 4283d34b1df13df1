//! Opening many files of the same few folders: each folder is opened once
//! and each file by its name inside it (`openat`), so the kernel does not
//! walk the whole path again for every shard of a checkpoint (on the
//! project's VM, a third of the cost of opening a file; see BENCHMARKS.md).

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// The folders of a set of files, each opened once (`O_PATH`), to open the
/// files by name. Where a folder cannot be opened, or on a platform without
/// `openat`, a file is opened by its whole path instead.
#[derive(Debug, Default)]
pub struct FolderOpener {
    /// Sorted by path, for a binary search.
    folders: Vec<(PathBuf, Folder)>,
}

#[cfg(unix)]
type Folder = std::os::fd::OwnedFd;
#[cfg(not(unix))]
type Folder = ();

impl FolderOpener {
    /// Opens the folders that hold `paths` (each one once).
    pub fn for_files<'a>(paths: impl IntoIterator<Item = &'a Path>) -> Self {
        let mut parents: Vec<&Path> = paths.into_iter().filter_map(Path::parent).collect();
        parents.sort_unstable();
        parents.dedup();
        let folders = parents
            .into_iter()
            .filter_map(|p| open_folder(p).map(|fd| (p.to_path_buf(), fd)))
            .collect();
        FolderOpener { folders }
    }

    /// Opens `path` read-only: by name inside its folder when that folder was
    /// opened, else by its whole path. The open never blocks on a FIFO
    /// (`O_NONBLOCK`), and a FIFO then fails to map. The caller has seen a
    /// regular file at `path` (the walk's `statx`, or the folder listing's
    /// file type); the type is not checked again here, which would cost a
    /// system call per shard.
    pub fn open(&self, path: &Path) -> io::Result<File> {
        if let (Some(parent), Some(name)) = (path.parent(), path.file_name()) {
            if let Ok(i) = self
                .folders
                .binary_search_by(|(p, _)| p.as_path().cmp(parent))
            {
                return open_in(&self.folders[i].1, Path::new(name));
            }
        }
        open_by_path(path)
    }
}

#[cfg(unix)]
fn open_folder(path: &Path) -> Option<Folder> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    rustix::fs::open(path, flags, Mode::empty()).ok()
}

#[cfg(not(unix))]
fn open_folder(_path: &Path) -> Option<Folder> {
    None
}

#[cfg(unix)]
fn open_in(folder: &Folder, name: &Path) -> io::Result<File> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NONBLOCK | OFlags::NOCTTY;
    let fd = rustix::fs::openat(folder, name, flags, Mode::empty())?;
    Ok(File::from(fd))
}

#[cfg(not(unix))]
fn open_in(_folder: &Folder, name: &Path) -> io::Result<File> {
    open_by_path(name)
}

fn open_by_path(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn opens_files_of_opened_folders_and_others_by_path() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let a = tmp.path().join("a");
        std::fs::create_dir(&a).expect("mkdir");
        std::fs::write(a.join("one.bin"), b"first").expect("write");
        std::fs::write(a.join("two.bin"), b"second").expect("write");
        std::fs::write(tmp.path().join("elsewhere.bin"), b"third").expect("write");
        let one = a.join("one.bin");
        let two = a.join("two.bin");
        let opener = FolderOpener::for_files([one.as_path(), two.as_path()]);
        assert_eq!(opener.folders.len(), 1, "one folder, opened once");
        let read = |p: &Path| {
            let mut s = String::new();
            opener
                .open(p)
                .expect("open")
                .read_to_string(&mut s)
                .expect("read");
            s
        };
        assert_eq!(read(&one), "first");
        assert_eq!(read(&two), "second");
        assert_eq!(read(&tmp.path().join("elsewhere.bin")), "third");
        let missing = opener
            .open(&a.join("absent.bin"))
            .expect_err("no such file");
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_opened_without_blocking() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let fifo = tmp.path().join("pipe.safetensors");
        crate::util::fs::mkfifo(&fifo);
        let opener = FolderOpener::for_files([fifo.as_path()]);
        // would block forever without O_NONBLOCK (no writer)
        let file = opener.open(&fifo).expect("opened at once");
        use std::os::unix::fs::FileTypeExt;
        assert!(file.metadata().expect("stat").file_type().is_fifo());
    }
}

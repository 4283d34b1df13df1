//! Opening files that may not be regular: a FIFO, a socket or a device
//! given as a target or planted in a model folder must never be opened for
//! reading in a way that blocks (a FIFO's `open` waits for a writer) or reads
//! forever (`/dev/zero`).

use std::fs::{File, Metadata};
use std::io;
use std::path::Path;

/// What a file that is neither a regular file nor a directory is, for
/// messages (`FIFO`, `socket`, `character device`, `block device`); `None`
/// for regular files, directories and symbolic links.
pub fn special_kind(meta: &Metadata) -> Option<&'static str> {
    let ft = meta.file_type();
    if ft.is_file() || ft.is_dir() || ft.is_symlink() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Some("FIFO");
        }
        if ft.is_socket() {
            return Some("socket");
        }
        if ft.is_char_device() {
            return Some("character device");
        }
        if ft.is_block_device() {
            return Some("block device");
        }
    }
    Some("special file")
}

/// The error for a path that is not a regular file: "`PATH` is not a
/// regular file (FIFO)".
pub fn not_regular(path: &Path, kind: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("`{}` is not a regular file ({kind})", path.display()),
    )
}

/// Opens `path` for reading only when it is a regular file (links
/// followed). The open itself does not block on a FIFO (`O_NONBLOCK`), and
/// the type is checked on the opened file, so a file swapped for a FIFO
/// between a check and the open is refused too.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("`{}` is a directory", path.display()),
        ));
    }
    if let Some(kind) = special_kind(&meta) {
        return Err(not_regular(path, kind));
    }
    #[cfg(unix)]
    clear_nonblocking(&file);
    Ok(file)
}

/// Reads a whole regular file (see [`open_regular`]).
pub fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut buf = Vec::new();
    open_regular(path)?.read_to_end(&mut buf)?;
    Ok(buf)
}

/// Reads a whole regular file as UTF-8 text (see [`open_regular`]).
pub fn read_regular_to_string(path: &Path) -> io::Result<String> {
    String::from_utf8(read_regular(path)?).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("`{}` is not valid UTF-8", path.display()),
        )
    })
}

/// Regular files ignore `O_NONBLOCK`, but the descriptor may be handed on
/// (to a memory map, to another reader): the flag is taken off again.
#[cfg(unix)]
fn clear_nonblocking(file: &File) {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: `fd` is a descriptor this function's caller owns for as long
    // as the call lasts; F_GETFL and F_SETFL only read and set its flags.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
        }
    }
}

/// Makes a FIFO at `path`, for the unit tests that hand one to a reader.
#[cfg(test)]
pub(crate) fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

/// The size in bytes of an open file, by `fstat` on Unix: `File::metadata`
/// asks `statx` with an empty path, which the kernel looks up as a name
/// first (about twice the cost, once per shard of a checkpoint).
pub fn open_file_size(file: &File) -> io::Result<u64> {
    #[cfg(unix)]
    {
        let stat = rustix::fs::fstat(file)?;
        u64::try_from(stat.st_size).map_err(io::Error::other)
    }
    #[cfg(not(unix))]
    {
        file.metadata().map(|m| m.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_file_tells_its_size_including_a_sparse_one() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("m.safetensors");
        std::fs::write(&path, b"12345").unwrap();
        assert_eq!(open_file_size(&File::open(&path).unwrap()).unwrap(), 5);
        let sparse = File::create(tmp.path().join("s")).unwrap();
        sparse.set_len(5 << 30).unwrap();
        assert_eq!(open_file_size(&sparse).unwrap(), 5 << 30);
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join("config.json");
        mkfifo(&fifo);
        let err = open_regular(&fifo).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(
            err.to_string().ends_with("is not a regular file (FIFO)"),
            "{err}"
        );
        let meta = std::fs::symlink_metadata(&fifo).unwrap();
        assert_eq!(special_kind(&meta), Some("FIFO"));
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_refused_and_a_file_is_read() {
        let err = open_regular(Path::new("/dev/null")).unwrap_err();
        assert!(err.to_string().contains("(character device)"), "{err}");
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("a.txt");
        std::fs::write(&file, "text").unwrap();
        assert_eq!(read_regular_to_string(&file).unwrap(), "text");
        assert!(open_regular(tmp.path()).is_err(), "a folder is not a file");
    }
}

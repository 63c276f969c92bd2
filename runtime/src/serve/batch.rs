//! Writing a connection's responses in batches: whatever hyper writes during one poll of the
//! connection leaves in one `write` system call, at the end of that poll.
//!
//! hyper writes and flushes each response on its own. Over loopback a write costs the server
//! several microseconds (the kernel also runs the client's side of TCP on the sending CPU), so
//! sixteen pipelined requests answered in sixteen writes cost several times what the requests
//! themselves do. hyper's `pipeline_flush` option would batch them too, but it shuts a
//! connection down without flushing what it held back: a 413 answered to an unread upload on a
//! `Connection: close` request was never sent. Here nothing is held past the poll that wrote
//! it, and shutting down writes out what is pending first.

use std::future::Future;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;

/// Bytes held back at most: beyond it, a write first sends what is pending, and a write this
/// large on its own (a big body's chunk) goes straight to the socket without a copy.
const BATCH_LIMIT: usize = 16 * 1024;

/// Told how many bytes the socket takes each time it takes some: a client that reads a long
/// answer slowly is still making progress, which a watchdog must see.
pub(crate) trait Progress: Send + Sync {
    fn sent(&self, bytes: usize);
}

/// Splits `stream` into the I/O that hyper reads and writes, and the handle that sends what it
/// wrote: wrap the connection's future with [`Outgoing::sent_after_each_poll`]. Reads first
/// return `already_read`, the bytes taken from the stream to tell its protocol.
pub(crate) fn split(
    stream: TcpStream,
    already_read: Vec<u8>,
    progress: Arc<dyn Progress>,
) -> (BatchedIo, Outgoing) {
    let (read, write) = stream.into_split();
    let outgoing = Outgoing(Arc::new(Shared {
        pending: Mutex::new(Pending {
            socket: write,
            bytes: Vec::new(),
            progress,
        }),
        handed_over: AtomicBool::new(false),
    }));
    let io = BatchedIo {
        already_read: Bytes::from(already_read),
        read,
        outgoing: outgoing.clone(),
    };
    (io, outgoing)
}

/// The write side of a connection, shared by its I/O and its future.
#[derive(Clone)]
pub(crate) struct Outgoing(Arc<Shared>);

struct Shared {
    pending: Mutex<Pending>,
    /// Whether the connection's future has ended while the I/O lives on: hyper handed the
    /// connection over (a WebSocket). No poll sends the batch any more, so writes go to the
    /// socket themselves. Set under the lock of the last send, which takes what was written
    /// before; read under the lock by writes.
    handed_over: AtomicBool,
}

/// What hyper has written and the socket has not yet taken.
struct Pending {
    socket: OwnedWriteHalf,
    bytes: Vec<u8>,
    progress: Arc<dyn Progress>,
}

impl Outgoing {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        // The lock is only held to copy bytes or call the socket, which do not panic; if one
        // did, the bytes are still whole, so there is nothing to refuse.
        self.0
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn handed_over(&self) -> bool {
        self.0.handed_over.load(Ordering::Acquire)
    }

    /// Runs `connection`, and after each of its polls sends what it wrote during that poll.
    pub(crate) fn sent_after_each_poll<F, E>(self, connection: F) -> SentAfterEachPoll<F, E>
    where
        F: Future<Output = Result<(), E>>,
    {
        SentAfterEachPoll {
            connection,
            finished: None,
            outgoing: self,
        }
    }
}

impl Pending {
    /// Sends everything pending; `Pending` (with the waker registered) while the socket is full.
    fn poll_send(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.bytes.is_empty() {
            let sent = ready!(Pin::new(&mut self.socket).poll_write(cx, &self.bytes))?;
            if sent == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.progress.sent(sent);
            self.bytes.drain(..sent);
        }
        Poll::Ready(Ok(()))
    }

    /// Makes room for `len` more bytes. `Ready(true)` when they should rather go straight to
    /// the socket: nothing is pending and they fill a batch on their own.
    fn poll_room(&mut self, cx: &mut Context<'_>, len: usize) -> Poll<io::Result<bool>> {
        if self.bytes.len() + len > BATCH_LIMIT {
            ready!(self.poll_send(cx))?;
        }
        Poll::Ready(Ok(len >= BATCH_LIMIT))
    }
}

/// The I/O hyper serves a connection on: reads go to the socket, writes wait in [`Outgoing`].
pub(crate) struct BatchedIo {
    already_read: Bytes,
    read: OwnedReadHalf,
    outgoing: Outgoing,
}

impl AsyncRead for BatchedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if !self.already_read.is_empty() {
            let len = self.already_read.len().min(buf.remaining());
            buf.put_slice(&self.already_read.split_to(len));
            // What the socket holds beyond those first bytes comes with them, so hyper reads a
            // request head in one piece as it would from the socket. Read in two, the second
            // read would find hyper's buffer short of its usual read size and double it: 8 KiB
            // more for every connection (BENCHMARKS.md, "Many connections"). Nothing is lost if
            // the socket has nothing yet or fails: the next read waits or fails in turn.
            if self.already_read.is_empty() && buf.remaining() > 0 {
                let _ = Pin::new(&mut self.read).poll_read(cx, buf);
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.read).poll_read(cx, buf)
    }
}

impl AsyncWrite for BatchedIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_vectored(cx, &[IoSlice::new(buf)])
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let len = bufs.iter().map(|buf| buf.len()).sum();
        let mut pending = self.outgoing.lock();
        if self.outgoing.handed_over() {
            ready!(pending.poll_send(cx))?;
            let sent = ready!(Pin::new(&mut pending.socket).poll_write_vectored(cx, bufs))?;
            return Poll::Ready(Ok(sent));
        }
        if ready!(pending.poll_room(cx, len))? {
            let sent = ready!(Pin::new(&mut pending.socket).poll_write_vectored(cx, bufs))?;
            pending.progress.sent(sent);
            return Poll::Ready(Ok(sent));
        }
        for buf in bufs {
            pending.bytes.extend_from_slice(buf);
        }
        Poll::Ready(Ok(len))
    }

    fn is_write_vectored(&self) -> bool {
        // Several buffers cost no more than one: each is copied into the batch.
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Deferred: the connection's future sends everything at the end of this poll. Once
        // the connection is handed over, nothing waits in the batch: each write sends what
        // is pending before its own bytes, and the socket itself holds nothing to flush.
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut pending = self.outgoing.lock();
        ready!(pending.poll_send(cx))?;
        Pin::new(&mut pending.socket).poll_shutdown(cx)
    }
}

/// Why a connection ended early: hyper's error, or the socket's.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A connection's future that sends what it wrote after each poll; see [`Outgoing`].
pub(crate) struct SentAfterEachPoll<F, E> {
    connection: F,
    /// The connection's result, kept while the last bytes are still being sent.
    finished: Option<Result<(), E>>,
    outgoing: Outgoing,
}

impl<F, E> Future for SentAfterEachPoll<F, E>
where
    F: Future<Output = Result<(), E>> + Unpin,
    E: Into<BoxError> + Unpin,
{
    type Output = Result<(), BoxError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.finished.is_none() {
            if let Poll::Ready(result) = Pin::new(&mut self.connection).poll(cx) {
                self.finished = Some(result);
            }
        }
        // A failed write ends the connection, as it would in hyper: the peer is gone.
        let mut pending = self.outgoing.lock();
        ready!(pending.poll_send(cx))?;
        // Under the same lock as the last send: whatever the I/O writes from now on (if hyper
        // handed it over) goes out on its own, and nothing written before is left behind.
        if self.finished.is_some() {
            self.outgoing.0.handed_over.store(true, Ordering::Release);
        }
        drop(pending);
        match self.finished.take() {
            Some(result) => Poll::Ready(result.map_err(Into::into)),
            None => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tests here look at the bytes, not at the progress.
    struct NoProgress;

    impl Progress for NoProgress {
        fn sent(&self, _: usize) {}
    }
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    async fn connected() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap());
        let (client, accepted) = tokio::join!(client, listener.accept());
        (client.unwrap(), accepted.unwrap().0)
    }

    #[tokio::test]
    async fn writes_of_one_poll_leave_together_when_the_poll_ends() {
        let (mut client, server) = connected().await;
        let (mut io, outgoing) = split(server, Vec::new(), Arc::new(NoProgress));
        let held = outgoing.clone();
        let connection = outgoing.sent_after_each_poll(Box::pin(async move {
            io.write_all(b"first ").await?;
            io.flush().await?;
            io.write_all(b"second").await?;
            io.flush().await?;
            // Flushed, yet held back: both wait for the end of the poll, to leave together.
            assert_eq!(held.lock().bytes, b"first second");
            std::future::pending::<()>().await;
            Ok::<(), io::Error>(())
        }));
        let connection = tokio::spawn(connection);
        let mut received = [0; 12];
        client.read_exact(&mut received).await.unwrap();
        assert_eq!(&received, b"first second");
        connection.abort();
    }

    #[tokio::test]
    async fn reads_begin_with_the_bytes_already_read() {
        let (mut client, server) = connected().await;
        let (mut io, _outgoing) = split(server, b"GET / HT".to_vec(), Arc::new(NoProgress));
        client.write_all(b"TP/1.1\r\n").await.unwrap();
        let mut received = [0; 16];
        io.read_exact(&mut received).await.unwrap();
        assert_eq!(&received, b"GET / HTTP/1.1\r\n");
    }

    #[tokio::test]
    async fn the_first_read_brings_what_followed_the_bytes_already_read() {
        let (mut client, server) = connected().await;
        client.write_all(b"TP/1.1\r\n").await.unwrap();
        client.flush().await.unwrap();
        // Once the socket holds the rest, one read returns it all, as hyper would get it from
        // the socket alone.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let (mut io, _outgoing) = split(server, b"GET / HT".to_vec(), Arc::new(NoProgress));
        let mut received = [0; 64];
        let len = io.read(&mut received).await.unwrap();
        assert_eq!(&received[..len], b"GET / HTTP/1.1\r\n");
        // With nothing more sent, the next read waits rather than reporting an end.
        let next =
            tokio::time::timeout(std::time::Duration::from_millis(50), io.read(&mut received));
        assert!(next.await.is_err());
    }

    #[tokio::test]
    async fn shutting_down_sends_what_is_pending_first() {
        let (mut client, server) = connected().await;
        let (mut io, outgoing) = split(server, Vec::new(), Arc::new(NoProgress));
        let connection = outgoing.sent_after_each_poll(Box::pin(async move {
            io.write_all(b"last words").await?;
            io.shutdown().await
        }));
        connection.await.unwrap();
        let mut received = Vec::new();
        client.read_to_end(&mut received).await.unwrap();
        assert_eq!(received, b"last words");
    }

    #[tokio::test]
    async fn a_large_write_goes_straight_to_the_socket() {
        let (mut client, server) = connected().await;
        let (mut io, outgoing) = split(server, Vec::new(), Arc::new(NoProgress));
        let body = vec![7; BATCH_LIMIT * 4];
        let expected = body.clone();
        let connection = outgoing.clone().sent_after_each_poll(Box::pin(async move {
            io.write_all(b"head").await?;
            io.write_all(&body).await?;
            io.shutdown().await
        }));
        let reader = tokio::spawn(async move {
            let mut received = Vec::new();
            client.read_to_end(&mut received).await.unwrap();
            received
        });
        connection.await.unwrap();
        let received = reader.await.unwrap();
        assert_eq!(&received[..4], b"head");
        assert_eq!(&received[4..], &expected[..]);
        assert!(outgoing.lock().bytes.capacity() <= BATCH_LIMIT);
    }
}

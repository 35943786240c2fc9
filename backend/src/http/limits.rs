//! The server's own limits, applied before any handler: how many connections it keeps open
//! ([`Listener`]), which host names it answers for ([`hosts`]), and (in the router) how
//! large a request body may be. Their values are [`crate::config::ServerLimits`].

use super::error::ApiError;
use crate::config::ServerLimits;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A TCP listener that keeps at most `max` connections open: the next is accepted when one
/// closes (until then it waits in the kernel's queue). Connections get `TCP_NODELAY`, so a
/// small answer is not held back waiting for more to send.
pub struct Listener {
    inner: TcpListener,
    open: Arc<Semaphore>,
}

impl Listener {
    pub fn new(inner: TcpListener, max: usize) -> Listener {
        Listener {
            inner,
            open: Arc::new(Semaphore::new(max.max(1))),
        }
    }
}

/// A connection holding its place among the open ones until it is dropped.
pub struct Connection {
    stream: TcpStream,
    _place: OwnedSemaphorePermit,
}

impl axum::serve::Listener for Listener {
    type Io = Connection;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Connection, std::net::SocketAddr) {
        let place = match self.open.clone().acquire_owned().await {
            Ok(p) => p,
            // The semaphore is never closed.
            Err(_) => unreachable!("the connection limit is never closed"),
        };
        let (stream, addr) = axum::serve::Listener::accept(&mut self.inner).await;
        let _ = stream.set_nodelay(true);
        (
            Connection {
                stream,
                _place: place,
            },
            addr,
        )
    }

    fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.inner.local_addr()
    }
}

impl AsyncRead for Connection {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// Refuses a request whose `Host` is not one of [`ServerLimits::allowed_hosts`] (DNS
/// rebinding), with the documented JSON error.
pub async fn hosts(State(limits): State<Arc<ServerLimits>>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()))
        .unwrap_or("");
    if limits.allows_host(host) {
        return next.run(req).await;
    }
    let shown: String = host.chars().take(100).filter(|c| !c.is_control()).collect();
    tracing::warn!(host = shown, "refused a request for a host not configured");
    ApiError::BadRequest(format!(
        "this server does not answer for the host name '{shown}'; an administrator can allow it \
         with --allowed-host (WIJKVEILIG_ALLOWED_HOSTS)"
    ))
    .into_response()
}

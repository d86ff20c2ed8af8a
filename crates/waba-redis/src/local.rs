//! A local `redis-server` for tests and benchmarks.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A `redis-server` child process on a free loopback port, without persistence, stopped
/// when dropped (and, through a watchdog, when this process exits without dropping it).
///
/// Needs the `redis-server` binary (Debian: `apt-get install redis-server`); without it,
/// [`LocalRedis::start`] fails saying so.
#[derive(Debug)]
pub struct LocalRedis {
    port: u16,
    child: Option<Child>,
}

impl LocalRedis {
    /// Starts a server on a free port and waits until it answers.
    pub async fn start() -> Result<Self, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free loopback port: {e}"))?
            .port();
        Self::start_on(port).await
    }

    /// Starts a server on `port` (again, after [`stop`](Self::stop)) and waits until it
    /// answers.
    pub async fn start_on(port: u16) -> Result<Self, String> {
        let mut server = Self { port, child: None };
        server.restart().await?;
        Ok(server)
    }

    /// The server's URL.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The server's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the server at once (as a crash would).
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = tokio::task::spawn_blocking(move || child.wait()).await;
        }
    }

    /// Starts the server again on the same port, empty.
    pub async fn restart(&mut self) -> Result<(), String> {
        self.stop().await;
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot start redis-server ({e}); install it with `apt-get install redis-server`"
                )
            })?;
        let pid = child.id();
        // A watchdog stops the server should this process end without dropping it (a
        // server held in a static lives until exit).
        let _ = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "while kill -0 {parent} 2>/dev/null; do sleep 1; done; kill {pid} 2>/dev/null",
                parent = std::process::id()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        self.child = Some(child);
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        Err(format!(
            "redis-server did not listen on port {} within 5 s",
            self.port
        ))
    }
}

impl Drop for LocalRedis {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

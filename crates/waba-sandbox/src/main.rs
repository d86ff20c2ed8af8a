//! `waba-sandbox [--port N]`: runs the sandbox in the foreground and prints where each
//! provider is and the credentials it accepts.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let port = match args
        .iter()
        .position(|a| a == "--port")
        .map(|i| args.get(i + 1).map(|p| p.parse::<u16>()))
    {
        None => 0,
        Some(Some(Ok(p))) => p,
        Some(_) => {
            eprintln!("error: --port takes a number from 0 to 65535");
            return ExitCode::from(2);
        }
    };
    let sandbox = match waba_sandbox::Sandbox::builder().port(port).start().await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot start the sandbox on port {port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", sandbox.banner());
    let _ = tokio::signal::ctrl_c().await;
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}

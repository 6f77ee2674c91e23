#!/usr/bin/env python3
"""A TCP forwarder the tests can cut: it relays 127.0.0.1:PORT to a PostgreSQL server until it
gets SIGUSR1, then drops every relayed connection and refuses new ones; SIGUSR2 opens it again on
the same port. It prints "gate PORT" once it listens and stops on SIGTERM or after --lifetime s."""
import argparse
import asyncio
import signal
import sys


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--to", required=True, help="HOST:PORT of the server behind the gate")
    parser.add_argument("--lifetime", type=float, default=300)
    args = parser.parse_args()
    host, port = args.to.rsplit(":", 1)
    relays: set[asyncio.Task] = set()

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def relay(client_reader, client_writer) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            client_writer.close()
            return
        tasks = [asyncio.ensure_future(pipe(client_reader, server_writer)),
                 asyncio.ensure_future(pipe(server_reader, client_writer))]
        try:
            await asyncio.gather(*tasks)
        except asyncio.CancelledError:
            for task in tasks:
                task.cancel()
            client_writer.close()
            server_writer.close()

    def accept(reader, writer) -> None:
        task = asyncio.ensure_future(relay(reader, writer))
        relays.add(task)
        task.add_done_callback(relays.discard)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    listen_port = server.sockets[0].getsockname()[1]
    loop = asyncio.get_running_loop()
    state = {"server": server}
    done = asyncio.Event()

    def cut() -> None:
        if state["server"] is not None:
            state["server"].close()
            state["server"] = None
        for task in list(relays):
            task.cancel()
        print("gate closed", flush=True)

    async def reopen() -> None:
        if state["server"] is None:
            state["server"] = await asyncio.start_server(accept, "127.0.0.1", listen_port, reuse_address=True)
        print("gate open", flush=True)

    # A parent may start us with these signals blocked (a test runner's threads often block them).
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1, signal.SIGUSR2, signal.SIGTERM})
    loop.add_signal_handler(signal.SIGUSR1, cut)
    loop.add_signal_handler(signal.SIGUSR2, lambda: asyncio.ensure_future(reopen()))
    loop.add_signal_handler(signal.SIGTERM, done.set)
    print(f"gate {listen_port}", flush=True)
    try:
        await asyncio.wait_for(done.wait(), args.lifetime)
    except asyncio.TimeoutError:
        pass
    cut()


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)

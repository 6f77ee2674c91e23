// One Server-Sent Events stream per page, on the topics the page needs; the browser reconnects on its own.
// `open` runs each time the stream (re)opens: changes before that moment are not sent as events, so a
// page re-reads what it shows then (what it fetched first may be older than the stream).

export function listen(topics, handlers) {
  const source = new EventSource(`/v1/events?topics=${topics.join(',')}`);
  for (const [event, handler] of Object.entries(handlers)) {
    if (event === 'open') source.addEventListener('open', () => handler());
    else source.addEventListener(event, (e) => handler(JSON.parse(e.data)));
  }
  return () => source.close();
}

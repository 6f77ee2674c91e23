// One Server-Sent Events stream per page, on the topics the page needs; the browser reconnects on its own.

export function listen(topics, handlers) {
  const source = new EventSource(`/v1/events?topics=${topics.join(',')}`);
  for (const [event, handler] of Object.entries(handlers)) {
    source.addEventListener(event, (e) => handler(JSON.parse(e.data)));
  }
  return () => source.close();
}

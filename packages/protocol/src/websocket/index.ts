// The RFC 6455 core: handshake helpers, frame codec, WebSocketConnection.
export {};

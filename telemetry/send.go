package telemetry

// sendResult is what became of one request.
type sendResult int

const (
	// delivered: an HTTP response came back (any status is final), or the
	// endpoint is malformed and never will work. The lines are done.
	delivered sendResult = iota
	// lost: the request was handed to a connection, which then failed (a
	// timeout, a reset). The body may have arrived: the lines are done,
	// and this process sends nothing more.
	lost
	// notSent: no connection was made (offline, refused, DNS). Nothing can
	// have arrived: the lines go back, and this process sends nothing more.
	notSent
)

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

// sendOutcome is what post reports of one request.
type sendOutcome struct {
	result sendResult
	// status is the HTTP status of the response; 0 when none came.
	status int
	// why names, in a few words, what kept a request from being sent or
	// answered ("connection refused", "timed out"); "" otherwise.
	why string
}

// left reports whether the request left the machine: an HTTP response came
// back, or the body was handed to a connection that then failed.
func (o sendOutcome) left() bool { return o.status != 0 || o.result == lost }

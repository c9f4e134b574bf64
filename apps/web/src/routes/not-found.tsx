import { Link } from "react-router";

export function NotFoundPage() {
  return (
    <div className="page narrow center">
      <title>Not found · Inkwell</title>
      <h1 tabIndex={-1}>Page not found</h1>
      <p className="muted">There is nothing at this address. It may have moved, or the link may be mistyped.</p>
      <p>
        <Link className="btn btn-primary" to="/">
          Go to the home page
        </Link>
      </p>
    </div>
  );
}

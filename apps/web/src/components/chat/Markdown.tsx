import ReactMarkdown, { type Components } from "react-markdown";
import cs from "./chat.module.css";

/** Links from a model open in a new tab and never carry the referrer. */
const components: Components = {
  a: ({ node: _node, ...props }) => <a {...props} target="_blank" rel="noopener noreferrer nofollow" />,
};

/**
 * A reply's markdown as React elements. Raw HTML in the text is dropped (`skipHtml`), never injected,
 * and react-markdown's default URL filter removes `javascript:` and similar links.
 */
export function Markdown({ text }: { text: string }) {
  return (
    <div className={cs.markdown}>
      <ReactMarkdown skipHtml components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
}

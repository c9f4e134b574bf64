import { Link } from "react-router";
import { LinkedAccounts } from "../components/auth/linked-accounts.tsx";
import { AiModelSection } from "../components/settings/AiModelSection.tsx";
import { ApiKeysSection } from "../components/settings/ApiKeysSection.tsx";
import { ChangePasswordSection } from "../components/settings/ChangePasswordSection.tsx";
import { SessionsSection } from "../components/settings/SessionsSection.tsx";

export function SettingsPage() {
  return (
    <div className="page">
      <title>Settings · Inkwell</title>
      <header className="page-header">
        <h1 tabIndex={-1}>Settings</h1>
        <p className="muted">Security, signed-in devices, your AI model and the API keys Inkwell uses on your behalf.</p>
        <p className="muted">
          To download or delete everything you keep in Inkwell, see <Link to="/your-data">Your data</Link>.
        </p>
      </header>
      <ChangePasswordSection />
      <SessionsSection />
      <LinkedAccounts />
      <AiModelSection />
      <ApiKeysSection />
    </div>
  );
}

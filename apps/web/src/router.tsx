import { createBrowserRouter, useRouteError } from "react-router";
import { AppShell } from "./components/AppShell.tsx";
import { guestOnlyLoader, RequireAuth, requireUserLoader } from "./components/Guards.tsx";
import { ensureMe } from "./lib/api.ts";
import { describeError } from "./lib/errors.ts";
import { AdminPage } from "./routes/admin.tsx";
import { BillingPage } from "./routes/billing.tsx";
import { BooksPage } from "./routes/books.tsx";
import { BooksBookPage } from "./routes/books-book.tsx";
import { BrandKitPage } from "./routes/brand-kit.tsx";
import { ChatPage } from "./routes/chat.tsx";
import { ClassroomPage } from "./routes/classroom.tsx";
import { ClassroomsPage } from "./routes/classrooms.tsx";
import { CreditsPage } from "./routes/credits.tsx";
import { CreditsHistoryPage } from "./routes/credits-history.tsx";
import { CreditsUsagePage } from "./routes/credits-usage.tsx";
import { FeedbackPage } from "./routes/feedback.tsx";
import { ForgotPasswordPage } from "./routes/forgot-password.tsx";
import { HomePage } from "./routes/home.tsx";
import { KnowledgePage } from "./routes/knowledge.tsx";
import { LiveHostPage, LiveListPage } from "./routes/live-host.tsx";
import { LivePlayJoinPage, LivePlayPage } from "./routes/live-play.tsx";
import { NotFoundPage } from "./routes/not-found.tsx";
import { OrdersPage } from "./routes/orders.tsx";
import { OrderNewPage } from "./routes/orders-new.tsx";
import { OrderPage } from "./routes/orders-order.tsx";
import { ProfilePage } from "./routes/profile.tsx";
import { ProjectsPage } from "./routes/projects.tsx";
import { PublishingQueuePage } from "./routes/publishing.tsx";
import { PublishingComposePage } from "./routes/publishing-compose.tsx";
import { PublishingConnectionsPage } from "./routes/publishing-connections.tsx";
import { PublishingHistoryPage } from "./routes/publishing-history.tsx";
import { ResetPasswordPage } from "./routes/reset-password.tsx";
import { SettingsPage } from "./routes/settings.tsx";
import { SharedMaterialPage } from "./routes/shared-material.tsx";
import { SharedQuizPage } from "./routes/shared-quiz.tsx";
import { SharedWithMePage } from "./routes/shared-with-me.tsx";
import { SignInPage } from "./routes/sign-in.tsx";
import { SignUpPage } from "./routes/sign-up.tsx";
import { StoriesPage } from "./routes/stories.tsx";
import { StoriesAnswerPage } from "./routes/stories-answer.tsx";
import { StoriesCampaignPage } from "./routes/stories-campaign.tsx";
import { StoriesInvitePage } from "./routes/stories-invite.tsx";
import { StoriesStoryPage } from "./routes/stories-story.tsx";
import { StudioAssetsPage } from "./routes/studio-assets.tsx";
import { StudioGenerationsPage } from "./routes/studio-generations.tsx";
import { StudioPersonaPage } from "./routes/studio-persona.tsx";
import { StudioPersonasPage } from "./routes/studio-personas.tsx";
import { StudioPromptsPage } from "./routes/studio-prompts.tsx";
import { StudioReelsPage } from "./routes/studio-reels.tsx";
import { StudyFlashcardsPage } from "./routes/study-flashcards.tsx";
import { StudyItemPage } from "./routes/study-item.tsx";
import { StudyLibraryPage } from "./routes/study-library.tsx";
import { StudyQuizPage } from "./routes/study-quiz.tsx";
import { StudyResultsPage } from "./routes/study-results.tsx";
import { StudyReviewPage } from "./routes/study-review.tsx";
import { StudyWritingPage } from "./routes/study-writing.tsx";
import { VerifyEmailPage } from "./routes/verify-email.tsx";
import { VoicePage } from "./routes/voice.tsx";
import { WriterPage } from "./routes/writer.tsx";
import { YourDataPage } from "./routes/your-data.tsx";

export const router = createBrowserRouter([
  {
    Component: AppShell,
    // Who is signed in decides what every page shows: know it before the first render.
    loader: async () => {
      await ensureMe();
      return null;
    },
    HydrateFallback: Booting,
    ErrorBoundary: CrashPage,
    children: [
      {
        loader: guestOnlyLoader,
        children: [
          { path: "sign-in", Component: SignInPage },
          { path: "sign-up", Component: SignUpPage },
        ],
      },
      { path: "forgot-password", Component: ForgotPasswordPage },
      { path: "reset-password", Component: ResetPasswordPage },
      { path: "verify-email", Component: VerifyEmailPage },
      // The storyteller answers without an account; an invitee may not have one yet.
      { path: "answer/:campaignId/:promptId", Component: StoriesAnswerPage },
      { path: "invite", Component: StoriesInvitePage },
      // Live quiz players have no account: the code and their player token are the key.
      { path: "play", Component: LivePlayJoinPage },
      { path: "play/:code", Component: LivePlayPage },
      // Shared study links (a quiz to take, a material to read) open without an account.
      { path: "q/:token", Component: SharedQuizPage },
      { path: "s/:token", Component: SharedMaterialPage },
      {
        loader: requireUserLoader,
        Component: RequireAuth,
        children: [
          { index: true, Component: HomePage },
          { path: "chat", Component: ChatPage },
          { path: "feedback", Component: FeedbackPage },
          { path: "admin", Component: AdminPage },
          { path: "admin/:tab", Component: AdminPage },
          { path: "chat/:conversationId", Component: ChatPage },
          { path: "writer", Component: WriterPage },
          { path: "writer/:sessionId", Component: WriterPage },
          { path: "projects", Component: ProjectsPage },
          { path: "knowledge", Component: KnowledgePage },
          { path: "brand-kit", Component: BrandKitPage },
          { path: "voice", Component: VoicePage },
          { path: "studio/reels", Component: StudioReelsPage },
          { path: "studio/assets", Component: StudioAssetsPage },
          { path: "studio/prompts", Component: StudioPromptsPage },
          { path: "studio/generations", Component: StudioGenerationsPage },
          { path: "studio/personas", Component: StudioPersonasPage },
          { path: "studio/personas/:personaId", Component: StudioPersonaPage },
          { path: "study", Component: StudyLibraryPage },
          { path: "study/items/:itemId", Component: StudyItemPage },
          { path: "study/review", Component: StudyReviewPage },
          { path: "study/shared", Component: SharedWithMePage },
          { path: "study/items/:itemId/flashcards", Component: StudyFlashcardsPage },
          { path: "study/items/:itemId/quiz", Component: StudyQuizPage },
          { path: "study/items/:itemId/writing", Component: StudyWritingPage },
          { path: "study/results", Component: StudyResultsPage },
          { path: "study/live", Component: LiveListPage },
          { path: "study/live/:sessionId", Component: LiveHostPage },
          { path: "classrooms", Component: ClassroomsPage },
          { path: "classrooms/:classroomId", Component: ClassroomPage },
          { path: "books", Component: BooksPage },
          { path: "books/:bookId", Component: BooksBookPage },
          { path: "orders", Component: OrdersPage },
          { path: "orders/new", Component: OrderNewPage },
          { path: "orders/:orderId", Component: OrderPage },
          { path: "publishing", Component: PublishingQueuePage },
          { path: "publishing/compose", Component: PublishingComposePage },
          { path: "publishing/history", Component: PublishingHistoryPage },
          { path: "publishing/connections", Component: PublishingConnectionsPage },
          { path: "stories", Component: StoriesPage },
          { path: "stories/:campaignId", Component: StoriesCampaignPage },
          { path: "stories/:campaignId/story/:storyId", Component: StoriesStoryPage },
          { path: "profile", Component: ProfilePage },
          { path: "settings", Component: SettingsPage },
          { path: "billing", Component: BillingPage },
          { path: "your-data", Component: YourDataPage },
          {
            path: "credits",
            Component: CreditsPage,
            children: [
              { index: true, Component: CreditsHistoryPage },
              { path: "usage", Component: CreditsUsagePage },
            ],
          },
        ],
      },
      { path: "*", Component: NotFoundPage },
    ],
  },
]);

function Booting() {
  return (
    <div className="boot" role="status">
      <span className="spinner" aria-hidden="true" />
      <span className="visually-hidden">Loading Inkwell…</span>
    </div>
  );
}

function CrashPage() {
  const error = useRouteError();
  return (
    <main id="main" className="page narrow center crash">
      <title>Something went wrong · Inkwell</title>
      <h1>Something went wrong</h1>
      <p className="muted">{describeError(error).message}</p>
      <p>
        <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>
          Try again
        </button>
      </p>
    </main>
  );
}

/**
 * The account e-mails: what they say and the single-use link they carry. Used by the request that
 * mails a signed-in person (resend the confirmation) and by the jobs that decide in the worker what to
 * send to an address someone typed (sign-up, password reset), so that request does the same work
 * whether or not the address has an account.
 */
import type { Tx } from "@inkwell/db";
import { newToken } from "../platform/tokens.ts";
import * as repo from "./identity.repository.ts";

export interface Mail {
  subject: string;
  text: string;
}

const base = (appUrl: string) => appUrl.replace(/\/$/, "");

/** Stores a fresh link token (voiding the previous one of its purpose) and writes the mail around it. */
export async function linkMail(
  tx: Tx,
  input: { userId: string; purpose: "verify_email" | "reset_password"; appUrl: string; ttlSeconds: number },
): Promise<Mail> {
  const { token, hash } = newToken();
  await repo.insertUserToken(tx, { userId: input.userId, purpose: input.purpose, tokenHash: hash, ttlSeconds: input.ttlSeconds });
  if (input.purpose === "verify_email") {
    const link = `${base(input.appUrl)}/verify-email?token=${token}`;
    return {
      subject: "Confirm your e-mail for Inkwell",
      text: `Welcome to Inkwell!\n\nConfirm your e-mail address by opening this link (valid for ${Math.round(input.ttlSeconds / 3600)} hours):\n\n${link}\n\nIf you did not sign up, ignore this message.`,
    };
  }
  const link = `${base(input.appUrl)}/reset-password?token=${token}`;
  return {
    subject: "Reset your Inkwell password",
    text: `Someone (hopefully you) asked to reset the password of your Inkwell account.\n\nChoose a new password here (valid for ${Math.round(input.ttlSeconds / 60)} minutes, once):\n\n${link}\n\nIf it was not you, ignore this message; your password stays as it is.`,
  };
}

/**
 * To the holder of an address someone tried to sign up with. No token: a stranger's sign-up must not
 * void a reset link the holder asked for; the forgot-password page mails a fresh one on request.
 */
export function signUpAttemptMail(appUrl: string): Mail {
  return {
    subject: "Someone tried to sign up for Inkwell with your address",
    text: `Someone (hopefully you) tried to create an Inkwell account with this e-mail address, which already has one. No new account was made and nothing changed in yours.\n\nIf it was you, sign in here:\n\n${base(appUrl)}/sign-in\n\nForgot your password? Ask for a reset link here:\n\n${base(appUrl)}/forgot-password\n\nIf it was not you, ignore this message.`,
  };
}

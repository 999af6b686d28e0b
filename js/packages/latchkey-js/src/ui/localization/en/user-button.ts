// English texts of <UserButton/>.

/** `userButton.*` */
export const userButton = {
  triggerLabel: "Open the account menu of {name}",
  menuLabel: "Account",
  manageAccount: "Manage account",
  signOut: "Sign out",
  signOutOf: "Sign out of {name}",
  switchTo: "Switch to {name}",
  otherAccounts: "Other accounts",
  addAccount: "Add account",
  signOutAll: "Sign out of all accounts",
};

// What each role may do, as the server's access policy grants it (the server still checks every request).

const grants = {
  admin: ['writeDisplays', 'writeContent', 'approveContent', 'postAlerts', 'manageUsers', 'manageRules'],
  operator: ['writeDisplays', 'manageRules'],
  publisher: ['writeContent', 'manageRules'],
  approver: ['approveContent'],
  alerter: ['postAlerts'],
  viewer: [],
};

export function can(user, permission) {
  return !!user && (grants[user.role] || []).includes(permission);
}

export function scopeText(user) {
  return user.districts && user.districts.length ? user.districts.join(', ') : 'all districts';
}

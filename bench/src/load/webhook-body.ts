import { evolutionText } from '@zaprelay/test-kit';

/** A realistic Evolution `messages.upsert` text webhook with a unique message id. */
export function evolutionTextWebhook(id: string) {
  return evolutionText({
    instance: 'bench',
    id: `BENCH${id}`,
    phone: '+5511987654321',
    text: 'Olá! Gostaria de saber o horário de funcionamento de amanhã.',
  });
}
